"""VAEEncoder: a variational autoencoder as a scikit-learn transformer."""

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from sklspec._neural import fill_shared_parameters
from sklspec.utils._fit import fit_context
from sklspec.utils._typing import ArrayLike, RandomStateLike, Self
from sklspec.utils.validation import validate_spectra
from sklspec.vae._base import _BaseVAE, fill_vae_parameters
from sklspec.vae._decoder import VAEDecoder


@fill_vae_parameters
@fill_shared_parameters
class VAEEncoder(_BaseVAE):
    """Variational autoencoder of spectra, as a transformer to its latent space.

    ``fit`` trains a VAE (MLP encoder, reparameterization, MLP decoder)
    through skorch; ``transform`` returns the latent means (deterministic),
    ``inverse_transform`` decodes latent points to spectra and ``sample``
    decodes random latent points. The trained decoder is also available as
    a fitted :class:`VAEDecoder` in ``decoder_``, to use as a Pipeline step.

    The loss per spectrum is the summed squared reconstruction error plus
    ``beta`` times the KL divergence of the latent Gaussian from N(0, I). The
    scale of ``X`` therefore sets the balance between the two: scale the
    spectra (e.g. ``StandardScaler``) first. Training runs in float32.

    The papers' settings are in :data:`sklspec.vae.PRESETS`:
    ``VAEEncoder(**PRESETS["vrabel2023"])``.

    Parameters
    ----------
    {vae_parameters}
    {shared_parameters}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    decoder_ : VAEDecoder
        The fitted decoder, from latent points to spectra (built on access
        from this VAE; nothing is stored).
    history_ : skorch.History
        Per-epoch losses: ``train_loss``, ``train_recon`` (MSE per channel),
        ``train_kl`` (per spectrum), their ``valid_`` counterparts when a
        validation fraction is held out, and ``beta`` when annealing.
    n_iter_ : int
        Number of epochs run.
    latent_mean_ : ndarray of shape (latent_dim,)
        Mean of the latent means of the training spectra.
    latent_std_ : ndarray of shape (latent_dim,)
        Standard deviation of the latent means of the training spectra.
    latent_min_ : ndarray of shape (latent_dim,)
        Per-dimension minimum of the latent means of the training spectra.
    latent_max_ : ndarray of shape (latent_dim,)
        Per-dimension maximum of the latent means of the training spectra.
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of channels seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    VAEDecoder : The decoder as a transformer from latent points to spectra.
    ConditionalVAE : A VAE whose decoder also receives the targets.
    sklearn.decomposition.PCA : A linear, deterministic latent space.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklspec.datasets import make_peak_spectra
    >>> from sklspec.vae import VAEEncoder
    >>> X, _ = make_peak_spectra(n_samples=200, n_channels=100, random_state=0)
    >>> vae = VAEEncoder(hidden_layer_sizes=(64,), latent_dim=3, max_epochs=5,
    ...                  device="cpu", random_state=0)
    >>> Z = vae.fit_transform(X)
    >>> Z.shape
    (200, 3)
    >>> vae.inverse_transform(Z).shape
    (200, 100)
    >>> vae.get_feature_names_out()
    array(['vaeencoder0', 'vaeencoder1', 'vaeencoder2'], dtype=object)
    >>> vae.sample(4, distribution="uniform", random_state=0).shape
    (4, 100)
    >>> vae.sample_latent(4, distribution="aggregate", X=X, random_state=0).shape
    (4, 3)
    """

    @fit_context
    def fit(
        self, X: ArrayLike, y: ArrayLike | None = None, sample_weight: ArrayLike | None = None
    ) -> Self:
        """Train the variational autoencoder on spectra.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Training spectra, ideally scaled. float32 input (a memmap
            included) is used without a copy.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_spectra,), default=None
            Weight of each spectrum's terms of the loss (reconstruction and
            KL), e.g. to count a sample measured in many replicates once.
            Rescaled to mean 1 (an integer weight counts as that many
            copies); None weighs all alike.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the loss becomes NaN or infinite, explodes a thousandfold above
            the untrained network's, or, without early stopping, an epoch's
            reconstruction error jumps a hundredfold above the best epoch's
            (try a lower ``lr``).
        """
        X = validate_spectra(self, X, dtype=[np.float32, np.float64])
        vars(self).update(self._fit_vae(X, sample_weight=sample_weight))
        return self

    @fit_context
    def partial_fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Train one more epoch on ``X``, continuing the fitted VAE.

        The first call builds the VAE for the spectra's width; later calls
        continue its weights, Adam's state and the KL schedule (an epoch of
        ``max_epochs``' cycles per call) and must give spectra of the same
        width. Each call is one pass over all the spectra it is given, with
        no validation split and no early stopping; the divergence check
        stays. The latent statistics (``latent_mean_`` and the like, used
        by :meth:`sample_latent`) describe the spectra of the last call. A
        model loaded from a file continues with a fresh optimiser state.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Training spectra, ideally scaled.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator, one epoch further.

        Raises
        ------
        TrainingDivergedError
            If the loss becomes NaN or infinite, or explodes a thousandfold
            above the first batch's.
        """
        first = not hasattr(self, "net_")
        X = validate_spectra(self, X, dtype=[np.float32, np.float64], reset=first)
        vars(self).update(self._fit_vae(X, partial=True))
        return self

    @property
    def decoder_(self):
        """The decoder as a fitted :class:`VAEDecoder` (a Pipeline step)."""
        check_is_fitted(self)
        latent = np.zeros((1, self.latent_dim), dtype=np.float32)
        return VAEDecoder(FrozenEstimator(self)).fit(latent)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Decode latent points to spectra.

        Parameters
        ----------
        X : array-like of shape (n_points, latent_dim)
            Latent coordinates.

        Returns
        -------
        X_spectra : ndarray of shape (n_points, n_channels)
            Decoded spectra, in the dtype of the input.
        """
        Z = self._check_latent(X)
        return self._decode(Z, Z.dtype)

    def sample(
        self,
        n_samples: int = 1,
        *,
        distribution: str = "normal",
        random_state: RandomStateLike = None,
    ) -> np.ndarray:
        """Decode random latent points into new spectra.

        Parameters
        ----------
        n_samples : int, default=1
            Number of spectra to generate.
        distribution : {"normal", "uniform"}, default="normal"
            Where the latent points come from (see :meth:`sample_latent`).
        random_state : int, RandomState instance or None, default=None
            Seed for the latent points.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_channels)
            Generated spectra (float32).
        """
        Z = self.sample_latent(n_samples, distribution=distribution, random_state=random_state)
        return self._decode(Z.astype(np.float32), np.float32)

    def score(self, X: ArrayLike, y: ArrayLike | None = None) -> float:
        """Minus the mean squared reconstruction error per channel.

        Spectra are encoded to their latent means and decoded; greater is
        better, 0 is a perfect reconstruction.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return -self._reconstruction_error(self._check_spectra(X))
