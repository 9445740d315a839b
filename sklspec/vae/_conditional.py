"""ConditionalVAE: a VAE whose decoder also receives the targets."""

import numpy as np
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from sklspec._neural import fill_shared_parameters
from sklspec.utils._fit import fit_context
from sklspec.utils._typing import ArrayLike, RandomStateLike, Self
from sklspec.utils.validation import validate_data
from sklspec.vae._base import _BaseVAE, fill_vae_parameters


@fill_vae_parameters
@fill_shared_parameters
class ConditionalVAE(_BaseVAE):
    """Conditional variational autoencoder: spectra generated for chosen targets.

    The encoder sees the spectrum only; the decoder receives the latent
    point together with the condition vector, here the spectrum's targets
    (e.g. concentrations), as in Sohn et al. (2015) and the augmentation
    paper's cVAE (Mushchina et al., 2025, 3.4.3). ``fit(X, y)`` trains it on
    spectra and their targets; ``transform`` gives latent means as
    :class:`VAEEncoder` does; ``inverse_transform``, ``sample`` and ``score``
    take the conditions.

    Parameters
    ----------
    {vae_parameters}
    {shared_parameters}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch losses, as for :class:`VAEEncoder`.
    n_iter_ : int
        Number of epochs run.
    n_conditions_ : int
        Width of the condition vectors (the number of targets).
    latent_mean_, latent_std_, latent_min_, latent_max_ : ndarray of shape (latent_dim,)
        Statistics of the training spectra's latent means, per dimension.
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of channels seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    VAEEncoder : The unconditional VAE.
    sklspec.augmentation.VAEAugmenter : Augmentation with either.

    Examples
    --------
    >>> from sklspec.datasets import make_peak_spectra
    >>> from sklspec.vae import ConditionalVAE
    >>> X, amounts = make_peak_spectra(n_samples=200, n_channels=60, random_state=0)
    >>> cvae = ConditionalVAE((32,), latent_dim=2, max_epochs=5, device="cpu",
    ...                       random_state=0).fit(X, amounts)
    >>> cvae.transform(X).shape
    (200, 2)
    >>> cvae.sample(amounts[:4], random_state=0).shape  # spectra for these amounts
    (4, 60)
    >>> cvae.inverse_transform(cvae.transform(X[:3]), amounts[:3]).shape
    (3, 60)
    """

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Train the conditional VAE on spectra and their targets.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Training spectra, ideally scaled.
        y : array-like of shape (n_spectra,) or (n_spectra, n_targets)
            Their targets: the conditions the decoder receives.
        sample_weight : array-like of shape (n_spectra,), default=None
            Weight of each spectrum's terms of the loss, rescaled to mean 1
            (see :meth:`VAEEncoder.fit`); None weighs all alike.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the training diverges (see :meth:`VAEEncoder.fit`).
        """
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float32, np.float64]
        )
        conditions = y.reshape(len(y), -1)
        fitted = self._fit_vae(X, conditions, sample_weight=sample_weight)
        vars(self).update(fitted, n_conditions_=conditions.shape[1])
        return self

    def _check_conditions(self, y, n_points):
        check_is_fitted(self)
        conditions = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        conditions = conditions.reshape(len(conditions), -1)
        if conditions.shape[1] != self.n_conditions_:
            raise ValueError(
                f"y has {conditions.shape[1]} targets per row but this ConditionalVAE "
                f"was fitted on {self.n_conditions_}."
            )
        if n_points is not None and len(conditions) != n_points:
            raise ValueError(
                f"Found {n_points} latent points but {len(conditions)} rows of y; "
                "give one condition vector per point."
            )
        return conditions

    def inverse_transform(self, X: ArrayLike, y: ArrayLike) -> np.ndarray:
        """Decode latent points to spectra for the given targets.

        Parameters
        ----------
        X : array-like of shape (n_points, latent_dim)
            Latent coordinates.
        y : array-like of shape (n_points,) or (n_points, n_targets)
            The targets to decode each point for.

        Returns
        -------
        X_spectra : ndarray of shape (n_points, n_channels)
            Decoded spectra, in the dtype of ``X``.
        """
        Z = self._check_latent(X)
        conditions = self._check_conditions(y, len(Z))
        return self._decode(np.hstack([Z, conditions]).astype(np.float32), Z.dtype)

    def sample(
        self, y: ArrayLike, *, distribution: str = "normal", random_state: RandomStateLike = None
    ) -> np.ndarray:
        """Generate one spectrum for each row of targets.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The targets to generate spectra for.
        distribution : {"normal", "uniform"}, default="normal"
            Where the latent points come from (see :meth:`sample_latent`).
        random_state : int, RandomState instance or None, default=None
            Seed for the latent points.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_channels)
            Generated spectra (float32).
        """
        conditions = self._check_conditions(y, None)
        rng = check_random_state(random_state)
        Z = self.sample_latent(len(conditions), distribution=distribution, random_state=rng)
        return self.inverse_transform(Z.astype(np.float32), conditions)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Minus the mean squared reconstruction error per channel, given the targets.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra.
        y : array-like of shape (n_spectra,) or (n_spectra, n_targets)
            Their targets.

        Returns
        -------
        score : float
            Greater is better; 0 is a perfect reconstruction.
        """
        X = self._check_spectra(X)
        return -self._reconstruction_error(X, self._check_conditions(y, len(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags
