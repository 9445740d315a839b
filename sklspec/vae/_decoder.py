"""VAEDecoder: the decoder of a fitted VAE as a transformer from latent points to spectra."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin, input_channel_names, unwrap_frozen
from sklspec.utils._fit import fit_context
from sklspec.utils._sklearn_compat import HasMethods
from sklspec.utils._typing import ArrayLike, EstimatorLike, Self
from sklspec.utils.validation import validate_data
from sklspec.vae._base import _BaseVAE


class VAEDecoder(DocLinkMixin, TransformerMixin, BaseEstimator):
    """Decode latent points to spectra with the decoder of a fitted VAE.

    A Pipeline step that turns latent coordinates (for instance, the output
    of a model that maps another instrument's spectra into the latent space)
    into spectra. It trains nothing: the decoder comes from ``encoder``, a
    fitted :class:`VAEEncoder`, or a :class:`~sklearn.frozen.FrozenEstimator`
    around one, which keeps it fitted through ``clone`` and
    ``GridSearchCV``. A fitted ``VAEEncoder`` exposes its decoder ready to
    use as ``decoder_``.

    Parameters
    ----------
    encoder : VAEEncoder or FrozenEstimator
        The fitted VAE whose decoder is used.

    Attributes
    ----------
    encoder_ : VAEEncoder
        The fitted VAE (unwrapped from a ``FrozenEstimator``).
    n_features_in_ : int
        Width of the latent space.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the latent columns seen during ``fit``, when they are
        strings.

    See Also
    --------
    VAEEncoder : Trains the VAE; ``VAEEncoder.decoder_`` is a fitted VAEDecoder.

    Examples
    --------
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklspec.datasets import make_peak_spectra
    >>> from sklspec.vae import VAEDecoder, VAEEncoder
    >>> X, _ = make_peak_spectra(n_samples=100, n_channels=60, random_state=0)
    >>> vae = VAEEncoder(hidden_layer_sizes=(32,), latent_dim=2, max_epochs=3,
    ...                  device="cpu", random_state=0).fit(X)
    >>> Z = vae.transform(X)
    >>> vae.decoder_.transform(Z).shape
    (100, 60)
    >>> decoder = VAEDecoder(FrozenEstimator(vae)).fit(Z)
    >>> decoder.get_feature_names_out()[:3]
    array(['x0', 'x1', 'x2'], dtype=object)
    """

    _parameter_constraints: dict = {"encoder": [HasMethods(["inverse_transform"]), None]}

    def __init__(self, encoder: EstimatorLike | None = None) -> None:
        self.encoder = encoder

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Take the decoder of ``encoder`` and check the latent points' width.

        Parameters
        ----------
        X : array-like of shape (n_points, latent_dim)
            Latent coordinates; only their width is checked.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        encoder = unwrap_frozen(self.encoder)
        if not isinstance(encoder, _BaseVAE) or hasattr(encoder, "n_conditions_"):
            raise TypeError(
                "VAEDecoder needs a fitted VAEEncoder as `encoder` (or a "
                f"FrozenEstimator around one); got {self.encoder!r}. A fitted "
                "VAEEncoder also provides its decoder as `decoder_`; a ConditionalVAE "
                "decodes with its targets, through its own inverse_transform(Z, y)."
            )
        check_is_fitted(
            encoder, msg="The VAEEncoder given to VAEDecoder is not fitted; fit it first."
        )
        X = validate_data(self, X, dtype=[np.float32, np.float64])
        if X.shape[1] != encoder.latent_dim:
            raise ValueError(
                f"The latent points have {X.shape[1]} columns but this VAE's latent "
                f"space has latent_dim={encoder.latent_dim} dimensions."
            )
        self.encoder_ = encoder
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Decode latent points to spectra.

        Parameters
        ----------
        X : array-like of shape (n_points, latent_dim)
            Latent coordinates.

        Returns
        -------
        X_spectra : ndarray of shape (n_points, n_channels)
            Decoded spectra, in the dtype of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        return self.encoder_.inverse_transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Encode spectra to their latent means (the encoder's ``transform``).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra.

        Returns
        -------
        Z : ndarray of shape (n_spectra, latent_dim)
            Latent means.
        """
        check_is_fitted(self)
        return self.encoder_.transform(X)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output channels: those the VAE was fitted on.

        Parameters
        ----------
        input_features : None
            Ignored; present for API consistency.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The channel names seen by the encoder's ``fit`` (string or
            numeric column names), else ``x0, x1, ...``.
        """
        check_is_fitted(self)
        return input_channel_names(self.encoder_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
