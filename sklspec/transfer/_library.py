"""LatentLibrary: a primary system's spectra as latent codes and a decoder, to share."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.validation import check_is_fitted
from torch import nn

from sklspec.base import DocLinkMixin
from sklspec.exceptions import LibraryFloorWarning
from sklspec.metrics import compression_ratio, relative_squared_error
from sklspec.preprocessing import SpectralScaler
from sklspec.utils._fit import fit_context
from sklspec.utils._seeding import seed_from
from sklspec.utils._sklearn_compat import HasMethods, Interval, StrOptions
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike, Self
from sklspec.utils._warnings import user_stacklevel
from sklspec.utils.validation import validate_data
from sklspec.vae import VAEEncoder

DECODERS = ("vae", "pca", "pca+vae")


def default_library_vae(random_state=None):
    """The VAE a :class:`LatentLibrary` fits when given none.

    One hidden layer of 512, 16 latent dimensions, a small constant KL
    weight (0.01: the latent space keeps the detail that minor lines need),
    lr 1e-3, 40 epochs: measured on the LIBS simulator (see the user guide's
    "Scaling and the library" section).
    """
    return VAEEncoder(
        (512,),
        16,
        beta=0.01,
        lr=1e-3,
        max_epochs=40,
        random_state=random_state,
    )


class _LibraryDecoder(nn.Module):
    """Latent codes to scaled primary spectra, as torch: the head a mapper is fine-tuned through.

    ``linear`` (principal components) decodes the first ``n_linear`` codes;
    ``vae`` (a VAE's decoder, times ``vae_scale``) the rest; their sum is
    the spectrum.
    """

    def __init__(self, linear=None, vae=None, n_linear=0, vae_scale=1.0):
        super().__init__()
        self.linear, self.vae = linear, vae
        self.n_linear, self.vae_scale = n_linear, vae_scale

    def forward(self, z):
        out = 0.0
        if self.linear is not None:
            out = self.linear(z[:, : self.n_linear])
        if self.vae is not None:
            out = out + self.vae(z[:, self.n_linear :]) * self.vae_scale
        return out


class LatentLibrary(DocLinkMixin, TransformerMixin, BaseEstimator):
    """The primary side of spectral transfer, as one artefact a primary lab shares.

    The transfer paper's client-server idea (Vrábel et al., 2023): the
    primary lab fits a latent model on its spectra and shares it; every
    secondary lab maps its own spectra into it. A ``LatentLibrary`` holds
    what a secondary lab needs and nothing else: the primary side's scaling,
    the fitted decoder (it turns latent points into primary spectra), and
    the latent codes of the library spectra (``codes_``), which replace the
    primary spectra themselves: a secondary lab that measured some of the
    same samples fits its mapping onto their codes with
    ``LatentTransferRegressor(vae=FrozenEstimator(library), target="latent")``,
    without ever receiving a primary spectrum. ``compression_ratio_`` is how
    much smaller the library is than the spectra it stands for (the paper's
    eq. 1). Save it with :func:`sklspec.io.save`, a file that is safe to open.

    No mapping onto the library can be more accurate than the library's own
    reconstruction of the true primary spectra: ``reconstruction_error_``
    (on held-out library spectra) is that floor, and
    :meth:`reconstruction_error` measures it on other spectra (another
    day's). Compare it with what a linear transfer reaches on your pairs
    before mapping.

    Parameters
    ----------
    vae : VAEEncoder or None, default=None
        The VAE (``decoder="vae"`` or ``"pca+vae"``), cloned and fitted.
        None means one hidden layer of 512, 16 latent dimensions, KL
        weight 0.01, lr 1e-3 and 40 epochs, seeded from ``random_state``.
        Ignored with ``decoder="pca"``.
    decoder : {"vae", "pca", "pca+vae"}, default="vae"
        The latent model. ``"vae"``: the VAE's latent means and decoder (the
        paper's). ``"pca"``: the first ``n_components`` principal
        components, a linear decoder. ``"pca+vae"``: the principal
        components, plus a VAE of what they leave (codes: the component
        scores, then the VAE's latent means; decoded: the sum of both).
    n_components : int, default=16
        Principal components of ``"pca"`` and ``"pca+vae"``.
    scaling : {"global", "channel", "none"}, default="global"
        How the primary spectra are scaled, after centring, before the
        latent model (:class:`~sklspec.preprocessing.SpectralScaler`): one
        scale for all channels, each channel's own, or none. Predictions
        come back in the primary spectra's units.
    holdout_fraction : float in (0, 1) or None, default=0.1
        Share of the spectra held out (at random, from ``random_state``)
        to measure ``reconstruction_error_``; the latent model is fitted on
        the rest, and ``codes_`` cover all. None fits on all and leaves
        ``reconstruction_error_`` None.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out draw, the PCA and the default VAE (a given
        ``vae`` keeps its own seed).

    Attributes
    ----------
    vae_ : VAEEncoder or None
        The fitted VAE (None with ``decoder="pca"``).
    pca_ : PCA or None
        The fitted principal components (None with ``decoder="vae"``).
    residual_scale_ : float
        With ``"pca+vae"``: the root mean square of what the components
        leave, which the VAE models in units of (1 otherwise).
    scaler_ : SpectralScaler
        The fitted scaling of the primary spectra.
    codes_ : ndarray of shape (n_spectra, latent_dim), float32
        Latent codes of the library spectra, in the order given to ``fit``.
    latent_dim_ : int
        Width of the latent space.
    reconstruction_error_ : float or None
        Relative squared error of the held-out spectra decoded from their
        own codes: the best any mapping onto this library can do on such
        spectra.
    training_reconstruction_error_ : float
        The same on the spectra the latent model was fitted on.
    linear_reconstruction_error_ : float or None
        With a VAE: the held-out error of principal components of the same
        width (``latent_dim_``) fitted on the same spectra. When it is
        lower, a :class:`~sklspec.exceptions.LibraryFloorWarning` says so.
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
    ResidualMLPRegressor : A mapper with a linear path.

    Examples
    --------
    The primary lab fits and shares the library; a secondary lab fits its
    mapping onto the library's codes of the same samples:

    >>> import numpy as np
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import Ridge
    >>> from sklspec.transfer import LatentLibrary, LatentTransferRegressor
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(400, 3))
    >>> Y_primary = amounts @ rng.normal(size=(3, 200))    # the primary lab's spectra
    >>> library = LatentLibrary(decoder="pca", n_components=3, random_state=0).fit(Y_primary)
    >>> library.codes_.shape
    (400, 3)
    >>> bool(library.reconstruction_error_ < 1e-6)  # the floor, on held-out spectra
    True
    >>> X_secondary = amounts @ rng.normal(size=(3, 30))   # the secondary lab's spectra
    >>> model = LatentTransferRegressor(FrozenEstimator(library), Ridge(1e-6), target="latent")
    >>> model.fit(X_secondary, library.codes_).predict(X_secondary[:2]).shape
    (2, 200)
    """

    _parameter_constraints: dict = {
        "vae": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "decoder": [StrOptions(set(DECODERS))],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "scaling": SpectralScaler._parameter_constraints["scaling"],
        "holdout_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        vae: EstimatorLike | None = None,
        *,
        decoder: str = "vae",
        n_components: int = 16,
        scaling: str = "global",
        holdout_fraction: float = 0.1,
        random_state: RandomStateLike = None,
    ) -> None:
        self.vae = vae
        self.decoder = decoder
        self.n_components = n_components
        self.scaling = scaling
        self.holdout_fraction = holdout_fraction
        self.random_state = random_state

    def _split(self, n_spectra, rng):
        """Rows to fit on and rows held out (empty without a holdout)."""
        if self.holdout_fraction is None:
            return np.arange(n_spectra), np.arange(0)
        n_held = int(np.ceil(self.holdout_fraction * n_spectra))
        if n_spectra - n_held < 2:
            raise ValueError(
                f"Too few spectra to hold out holdout_fraction={self.holdout_fraction}: "
                f"n_samples = {n_spectra} leaves fewer than 2 to fit the library on. Pass "
                "more spectra, or holdout_fraction=None."
            )
        order = rng.permutation(n_spectra)
        return np.sort(order[n_held:]), np.sort(order[:n_held])

    def _fit_pca(self, scaled, seed):
        n_components = self.n_components
        if n_components > min(scaled.shape):
            raise ValueError(
                f"n_components={n_components} must be at most the number of spectra "
                f"({scaled.shape[0]}) and of channels ({scaled.shape[1]}) fitted on."
            )
        return PCA(n_components, random_state=seed).fit(scaled)

    def _fit_vae(self, scaled, seed):
        vae = default_library_vae(seed) if self.vae is None else self.vae
        return clone(vae).fit(scaled)

    @fit_context
    def fit(self, Y: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Fit the scaling and the latent model on primary spectra; keep their codes.

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

        Warns
        -----
        LibraryFloorWarning
            When the VAE reconstructs held-out spectra worse than principal
            components of the same width would.
        """
        Y = validate_data(self, Y, dtype=[np.float32, np.float64])
        rng = check_random_state(self.random_state)
        fit_rows, held_rows = self._split(len(Y), rng)
        seed = seed_from(rng)
        scaler = SpectralScaler(self.scaling).fit(Y[fit_rows])
        scaled = scaler.transform(Y[fit_rows])
        pca = vae = None
        residual_scale = 1.0
        if self.decoder != "vae":
            pca = self._fit_pca(scaled, seed)
        if self.decoder == "pca+vae":
            residual = scaled - pca.inverse_transform(pca.transform(scaled))
            residual_scale = float(np.sqrt(np.mean(residual**2))) or 1.0
            vae = self._fit_vae(residual / residual_scale, seed)
        elif self.decoder == "vae":
            vae = self._fit_vae(scaled, seed)
        fitted = {"scaler_": scaler, "pca_": pca, "vae_": vae, "residual_scale_": residual_scale}
        codes = self._encode(fitted, Y).astype(np.float32)
        floors = {
            name: (
                relative_squared_error(Y[rows], self._decode(fitted, codes[rows]))
                if len(rows) > 1
                else None
            )
            for name, rows in (("held", held_rows), ("fit", fit_rows))
        }
        linear_floor = None
        if vae is not None and floors["held"] is not None:
            linear_floor = self._linear_floor(scaler, scaled, Y[held_rows], codes.shape[1], seed)
        n_decoder = self._n_decoder_parameters(pca, vae)
        vars(self).update(
            fitted,
            codes_=codes,
            latent_dim_=codes.shape[1],
            reconstruction_error_=floors["held"],
            training_reconstruction_error_=floors["fit"],
            linear_reconstruction_error_=linear_floor,
            n_decoder_parameters_=n_decoder,
            compression_ratio_=compression_ratio(len(Y), Y.shape[1], codes.shape[1], n_decoder),
        )
        if linear_floor is not None and floors["held"] > linear_floor:
            other = "'pca'" if self.decoder == "pca+vae" else "'pca+vae'"
            warnings.warn(
                f"The library's VAE reconstructs held-out spectra with an RSE of "
                f"{floors['held']:.4g}, worse than {codes.shape[1]} principal components "
                f"({linear_floor:.4g}): no mapping onto it can beat that floor. Train the VAE "
                f"longer or with a smaller KL weight (beta), or use decoder={other}.",
                LibraryFloorWarning,
                stacklevel=user_stacklevel(),
            )
        return self

    @staticmethod
    def _linear_floor(scaler, scaled, Y_held, width, seed):
        width = min(width, *scaled.shape)
        pca = PCA(width, random_state=seed).fit(scaled)
        decoded = pca.inverse_transform(pca.transform(scaler.transform(Y_held)))
        return relative_squared_error(Y_held, scaler.inverse_transform(decoded))

    @staticmethod
    def _n_decoder_parameters(pca, vae):
        n = 0 if pca is None else pca.components_.size + pca.mean_.size
        if vae is not None:
            n += sum(p.numel() for p in vae.net_.module_.decoder.parameters())
        return int(n)

    @staticmethod
    def _encode(fitted, Y):
        scaled = fitted["scaler_"].transform(Y)
        pca, vae = fitted["pca_"], fitted["vae_"]
        parts = []
        if pca is not None:
            scores = pca.transform(scaled)
            parts.append(scores)
            scaled = scaled - pca.inverse_transform(scores)
        if vae is not None:
            parts.append(vae.transform(scaled / fitted["residual_scale_"]))
        return np.hstack(parts)

    @staticmethod
    def _decode(fitted, Z):
        pca, vae = fitted["pca_"], fitted["vae_"]
        Z = np.asarray(Z)
        n_linear = 0 if pca is None else pca.n_components_
        scaled = 0.0
        if pca is not None:
            scaled = pca.inverse_transform(Z[:, :n_linear])
        if vae is not None:
            decoded = vae.inverse_transform(Z[:, n_linear:]) * fitted["residual_scale_"]
            scaled = decoded if pca is None else scaled + decoded
        return fitted["scaler_"].inverse_transform(scaled)

    def _fitted(self):
        return {
            "scaler_": self.scaler_,
            "pca_": self.pca_,
            "vae_": self.vae_,
            "residual_scale_": self.residual_scale_,
        }

    def _check_latent(self, Z):
        Z = np.asarray(Z)
        if Z.ndim != 2 or Z.shape[1] != self.latent_dim_:
            raise ValueError(
                f"Z has shape {Z.shape}, but this library's latent space has "
                f"{self.latent_dim_} dimensions; Z must be (n_spectra, {self.latent_dim_})."
            )
        return Z

    def transform(self, Y: ArrayLike) -> np.ndarray:
        """Latent codes of primary spectra.

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
        return self._encode(self._fitted(), Y).astype(Y.dtype, copy=False)

    def inverse_transform(self, Z: ArrayLike) -> np.ndarray:
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
        return self._decode(self._fitted(), self._check_latent(Z))

    def reconstruction_error(self, Y: ArrayLike) -> float:
        """The library's floor on given primary spectra: RSE of their decoded codes.

        Parameters
        ----------
        Y : array-like of shape (n_spectra, n_channels)
            True primary spectra, e.g. another day's.

        Returns
        -------
        rse : float
            :func:`~sklspec.metrics.relative_squared_error` of ``Y`` decoded
            from its own codes: no mapping onto this library can transfer
            such spectra more accurately.
        """
        check_is_fitted(self)
        Y = validate_data(self, Y, dtype=[np.float32, np.float64], reset=False)
        fitted = self._fitted()
        return relative_squared_error(Y, self._decode(fitted, self._encode(fitted, Y)))

    def _decoder_module(self):
        """The decoder as a torch module, codes to scaled spectra (a copy; for fine-tuning)."""
        check_is_fitted(self)
        linear = None
        if self.pca_ is not None:
            components = torch.as_tensor(self.pca_.components_, dtype=torch.float32)
            linear = nn.Linear(*components.shape)  # weight (n_channels, n_components)
            with torch.no_grad():
                linear.weight.copy_(components.T)
                linear.bias.copy_(torch.as_tensor(self.pca_.mean_, dtype=torch.float32))
        vae = None if self.vae_ is None else self.vae_.net_.module_.decoder
        n_linear = 0 if self.pca_ is None else self.pca_.n_components_
        return _LibraryDecoder(linear, vae, n_linear, self.residual_scale_)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the latent coordinates: ``latentlibrary0``, ``latentlibrary1``, ...

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray([f"latentlibrary{i}" for i in range(self.latent_dim_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.decoder != "pca":
            vae = default_library_vae() if self.vae is None else self.vae
            tags.non_deterministic = get_tags(vae).non_deterministic
        return tags
