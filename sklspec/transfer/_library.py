"""LatentLibrary: a primary system's spectra as latent codes and a decoder, to share."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, validate_data

from sklspec.metrics import compression_ratio
from sklspec.utils._fit import fit_context
from sklspec.utils._seeding import seed_from
from sklspec.vae import VAEEncoder


class LatentLibrary(TransformerMixin, BaseEstimator):
    """The primary side of spectral transfer, as one artefact a primary lab shares.

    The transfer paper's client-server idea (Vrábel et al., 2023): the
    primary lab fits a VAE on its spectra and shares its latent space; every
    secondary lab maps its own spectra into it. A ``LatentLibrary`` holds
    what a secondary lab needs and nothing else: the primary side's scaling,
    the fitted VAE (its decoder turns latent points into primary spectra),
    and the latent means of the library spectra (``codes_``), which replace
    the primary spectra themselves: a secondary lab that measured the same
    samples fits its mapping network onto ``codes_`` with
    ``LatentTransferRegressor(vae=FrozenEstimator(library), target="latent")``,
    without ever receiving a primary spectrum. ``compression_ratio_`` is how
    much smaller the library is than the spectra it stands for (the paper's
    eq. 1). Save it with :func:`sklspec.io.save`, a file that is safe to open.

    Parameters
    ----------
    vae : VAEEncoder or None, default=None
        The VAE to fit on the (scaled) primary spectra; cloned. None means
        ``VAEEncoder(random_state=random_state)``.
    scale : bool, default=True
        Standardize each primary channel before the VAE (as the transfer
        models do); predictions come back in the primary spectra's units.
    random_state : int, RandomState instance or None, default=None
        Seeds the default VAE. Ignored when ``vae`` is given (set its own).

    Attributes
    ----------
    vae_ : VAEEncoder
        The fitted VAE.
    scaler_ : StandardScaler or None
        The fitted scaling of the primary channels (None if ``scale=False``).
    codes_ : ndarray of shape (n_spectra, latent_dim), float32
        Latent means of the library spectra, in the order given to ``fit``.
    latent_dim_ : int
        Width of the latent space.
    n_decoder_parameters_ : int
        Parameters of the decoder.
    compression_ratio_ : float
        Values of the primary spectra over values of the library (codes plus
        decoder): :func:`~sklspec.metrics.compression_ratio`.
    n_features_in_ : int
        Channels of the primary spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names, when ``Y`` has string column names.

    See Also
    --------
    LatentTransferRegressor : Maps a secondary system into the library's latent space.

    Examples
    --------
    The primary lab fits and shares the library; a secondary lab fits its
    mapping onto the library's codes of the same samples:

    >>> import numpy as np
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklspec.transfer import LatentLibrary, LatentTransferRegressor, SpectralMLPRegressor
    >>> from sklspec.vae import VAEEncoder
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(400, 3))
    >>> Y_primary = amounts @ rng.normal(size=(3, 200))    # the primary lab's spectra
    >>> vae = VAEEncoder(hidden_layer_sizes=(32,), latent_dim=3, lr=1e-2, max_epochs=20,
    ...                  device="cpu", random_state=0)
    >>> library = LatentLibrary(vae).fit(Y_primary)
    >>> library.codes_.shape
    (400, 3)
    >>> X_secondary = amounts @ rng.normal(size=(3, 30))   # the secondary lab's spectra
    >>> model = LatentTransferRegressor(
    ...     FrozenEstimator(library), SpectralMLPRegressor((32,), lr=1e-2, max_epochs=20),
    ...     target="latent", random_state=0)
    >>> model.fit(X_secondary, library.codes_).predict(X_secondary[:2]).shape
    (2, 200)
    """

    _parameter_constraints: dict = {
        "vae": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "scale": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, vae=None, *, scale=True, random_state=None):
        self.vae = vae
        self.scale = scale
        self.random_state = random_state

    @fit_context
    def fit(self, Y, y=None):
        """Fit the scaling and the VAE on primary spectra; keep their latent means.

        Parameters
        ----------
        Y : array-like of shape (n_spectra, n_channels)
            The primary system's spectra.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted library.
        """
        Y = validate_data(self, Y, dtype=[np.float32, np.float64])
        scaler = StandardScaler().fit(Y) if self.scale else None
        scaled = Y if scaler is None else scaler.transform(Y)
        vae = (
            VAEEncoder(random_state=seed_from(self.random_state)) if self.vae is None else self.vae
        )
        vae = clone(vae).fit(scaled)
        codes = np.asarray(vae.transform(scaled), dtype=np.float32)
        decoder = vae.net_.module_.decoder
        n_decoder = sum(parameter.numel() for parameter in decoder.parameters())
        self.vae_, self.scaler_, self.codes_ = vae, scaler, codes
        self.latent_dim_, self.n_decoder_parameters_ = codes.shape[1], n_decoder
        self.compression_ratio_ = compression_ratio(len(Y), Y.shape[1], codes.shape[1], n_decoder)
        return self

    def transform(self, Y):
        """Latent means of primary spectra.

        Parameters
        ----------
        Y : array-like of shape (n_spectra, n_channels)
            Primary spectra, in the units the library was fitted on.

        Returns
        -------
        Z : ndarray of shape (n_spectra, latent_dim)
        """
        check_is_fitted(self)
        Y = validate_data(self, Y, dtype=[np.float32, np.float64], reset=False)
        return self.vae_.transform(Y if self.scaler_ is None else self.scaler_.transform(Y))

    def inverse_transform(self, Z):
        """Primary spectra decoded from latent points, in the primary spectra's units.

        Parameters
        ----------
        Z : array-like of shape (n_spectra, latent_dim)
            Latent points (e.g. ``codes_``, or a mapping network's output).

        Returns
        -------
        Y : ndarray of shape (n_spectra, n_channels)
        """
        check_is_fitted(self)
        Y = self.vae_.inverse_transform(Z)
        return Y if self.scaler_ is None else self.scaler_.inverse_transform(Y)

    def get_feature_names_out(self, input_features=None):
        """Names of the latent coordinates.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.vae_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = get_tags(
            VAEEncoder() if self.vae is None else self.vae
        ).non_deterministic
        return tags
