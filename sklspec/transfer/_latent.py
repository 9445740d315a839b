"""LatentTransferRegressor: secondary spectra to primary spectra through a VAE's latent space."""

import inspect
from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_array, get_tags
from sklearn.utils.metadata_routing import MetadataRouter
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from sklspec.base import DocLinkMixin, unwrap_frozen
from sklspec.transfer._library import LatentLibrary
from sklspec.transfer._mlp import SpectralMLPRegressor
from sklspec.transfer._residual import ResidualMLPRegressor
from sklspec.utils._fit import fit_context
from sklspec.utils._routing import check_takes_sample_weight, fit_router, routed_fit_params
from sklspec.utils._seeding import seed_from, seed_random_states
from sklspec.utils._sklearn_compat import HasMethods, Interval, StrOptions
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike, Self
from sklspec.utils.validation import as_2d_targets, validate_spectra
from sklspec.vae import VAEEncoder


def _decoder_and_scaling(vae):
    """The torch decoder of a fitted VAE or library, and the scaling before its encoder."""
    inner = unwrap_frozen(vae)
    if isinstance(inner, LatentLibrary):
        return inner._decoder_module(), inner.scaler_
    return inner.net_.module_.decoder, None


class LatentTransferRegressor(DocLinkMixin, TransformerMixin, RegressorMixin, BaseEstimator):
    """Spectral transfer through the latent space of a VAE of the primary system.

    The transfer paper's model (Vrábel et al., 2023): a :class:`VAEEncoder`
    learns a latent space of the primary system's spectra; an MLP maps
    secondary spectra to the latent means of their primary counterparts;
    the VAE's decoder turns those latent points into primary spectra.

    ``fit(X_secondary, Y_primary)`` fits the VAE on ``Y_primary`` (unless
    ``vae`` is a :class:`~sklearn.frozen.FrozenEstimator` around a fitted
    one), encodes it, and trains the mapper from ``X_secondary`` to the
    latent means. ``predict`` is decoder(mapper(X)); ``transform`` gives the
    latent coordinates, shared by every secondary system mapped onto the same
    VAE. A failed or interrupted fit (Ctrl-C included) leaves the estimator
    as it was.

    Many secondary systems, one primary: fit a VAE once on the primary
    system (on all its spectra, paired or not) and give every secondary
    system's regressor ``vae=FrozenEstimator(vae)``. The frozen VAE is not
    refitted, and survives ``clone`` and ``GridSearchCV``.

    Parameters
    ----------
    vae : VAEEncoder, LatentLibrary, FrozenEstimator or None, default=None
        The primary system's latent model. An unfitted (or fitted, not
        frozen) VAEEncoder or :class:`LatentLibrary` is cloned and fitted on
        ``Y``; a ``FrozenEstimator`` around a fitted one is used as it is;
        None fits ``LatentLibrary(random_state=...)`` (one global scale, a
        VAE with a small KL weight, its reconstruction floor measured).
        Tune its parameters through ``vae__latent_dim`` and the like.
    mapper : regressor or None, default=None
        The mapping from secondary spectra to latent codes, cloned and
        fitted in ``fit``. None means :class:`ResidualMLPRegressor`: ridge
        regression with an MLP correction of its residuals, a linear path
        that few pairs suffice for. The paper's mapper is
        ``SpectralMLPRegressor()`` (128-512, leaky ReLU, lr 1e-4). Any
        multi-output regressor fits (``Ridge``, ``PLSRegression``). Tune it
        through ``mapper__lr``, ``mapper__hidden_layer_sizes`` and the
        like. Scale the secondary spectra first (a pipeline with
        :class:`~sklspec.preprocessing.SpectralScaler`).
    target : {"spectra", "latent"}, default="spectra"
        What ``y`` holds in ``fit``: the primary spectra (encoded by the VAE
        into the mapper's targets), or their latent coordinates already,
        e.g. the ``codes_`` of a :class:`LatentLibrary` a primary lab
        shared, so that a secondary lab fits without the primary spectra.
        ``"latent"`` needs a ``FrozenEstimator`` around a fitted VAE or
        library; ``predict`` returns primary spectra either way.
    objective : {"latent", "spectra"}, default="latent"
        What the mapping network is trained to match. ``"latent"`` is the
        paper's: the latent means of the primary spectra. ``"spectra"``
        then goes on training it through the VAE's decoder, held frozen, on
        the error of the decoded spectra against the primary spectra (in
        the VAE's input space: after the library's scaling, if any), plus
        ``latent_weight`` times its first loss: the decoder, and so the
        latent space every secondary system shares, stays as it was, while
        the loss becomes the one transfer is scored by. The fine-tuning
        uses the mapper's own settings (``lr``, ``batch_size``,
        ``max_epochs``, ``patience``, validation split). Needs
        ``target="spectra"`` and a :class:`SpectralMLPRegressor` mapper.
    latent_weight : float >= 0, default=0.1
        With ``objective="spectra"``, the weight of the latent error (mean
        squared distance to the latent means, per latent dimension) beside
        the spectral error (mean squared error per channel). It keeps each
        secondary system's points where the primary spectra's are: at 0
        the spectral error is lowest, but two secondary systems may place
        the same sample at different latent points; at 0.1, on a test with
        two nonlinear secondaries, they stay as close as with the paper's
        objective while the spectral error drops by a fifth. Ignored with
        ``objective="latent"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the mapper (every ``random_state`` in it) and, when ``vae`` is
        None, the default VAE. None leaves the sub-estimators' own seeds.
    verbose : int, default=0
        If > 0, report the stages. The VAE and the mapper print their own
        per-epoch tables according to their own ``verbose``.

    Attributes
    ----------
    vae_ : VAEEncoder, LatentLibrary or FrozenEstimator
        The fitted latent model of the primary system.
    mapper_ : regressor
        The fitted clone of ``mapper``, from secondary spectra to latent
        means (fine-tuned through the decoder with ``objective="spectra"``).
    fine_tune_history_ : list of dict or None
        With ``objective="spectra"``: per fine-tuning epoch, ``epoch``,
        ``train_loss`` and ``valid_loss`` (mean squared error of the decoded
        spectra; ``valid_loss`` is absent without a validation split).
        None with ``objective="latent"``.
    latent_dim_ : int
        Width of the latent space.
    n_features_in_ : int
        Channels of the secondary spectra.
    n_outputs_ : int
        Channels of the primary spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Secondary channel names, when ``X`` has string column names.

    See Also
    --------
    SpectralMLPRegressor : The one-step MLP baseline, secondary to primary directly.
    sklspec.vae.VAEEncoder : The VAE of the primary system.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
    >>> from sklspec.vae import VAEEncoder
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(400, 3))
    >>> Y_primary = amounts @ rng.normal(size=(3, 50))    # 50-channel primary
    >>> X_secondary = amounts @ rng.normal(size=(3, 30))  # 30-channel secondary
    >>> vae = VAEEncoder(hidden_layer_sizes=(32,), latent_dim=3, lr=1e-2, max_epochs=20,
    ...                  device="cpu", random_state=0)
    >>> mapper = SpectralMLPRegressor((32,), lr=1e-2, max_epochs=20, device="cpu")
    >>> model = LatentTransferRegressor(vae, mapper, random_state=0)
    >>> model.fit(X_secondary, Y_primary).predict(X_secondary[:2]).shape
    (2, 50)
    >>> model.transform(X_secondary[:2]).shape  # shared latent coordinates
    (2, 3)

    Fine-tuned on the decoded spectra, through the decoder held frozen:

    >>> tuned = LatentTransferRegressor(vae, mapper, objective="spectra", random_state=0)
    >>> tuned.fit(X_secondary, Y_primary).fine_tune_history_[0]["epoch"]
    1
    """

    _parameter_constraints: dict = {
        "vae": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "mapper": [HasMethods(["fit", "predict"]), None],
        "target": [StrOptions({"spectra", "latent"})],
        "objective": [StrOptions({"latent", "spectra"})],
        "latent_weight": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        vae: EstimatorLike | None = None,
        mapper: EstimatorLike | None = None,
        *,
        target: str = "spectra",
        objective: str = "latent",
        latent_weight: float = 0.1,
        random_state: RandomStateLike = None,
        verbose: int = 0,
    ) -> None:
        self.vae = vae
        self.mapper = mapper
        self.target = target
        self.objective = objective
        self.latent_weight = latent_weight
        self.random_state = random_state
        self.verbose = verbose

    def _vae_or_default(self, seed=None):
        return LatentLibrary(random_state=seed) if self.vae is None else self.vae

    def _mapper_or_default(self):
        return ResidualMLPRegressor(verbose=self.verbose) if self.mapper is None else self.mapper

    def _fitted_vae(self, Y, seed, fit_params):
        vae = self._vae_or_default(seed)
        inner = unwrap_frozen(vae)
        if not isinstance(inner, VAEEncoder | LatentLibrary):
            raise TypeError(
                "vae must be a VAEEncoder or a LatentLibrary, a FrozenEstimator around a "
                f"fitted one, or None; got {self.vae!r}."
            )
        frozen = isinstance(vae, FrozenEstimator)
        if self.target == "latent" and not frozen:
            raise ValueError(
                "target='latent' needs the fitted primary VAE or LatentLibrary the latent "
                "coordinates come from, as vae=FrozenEstimator(...); got an unfrozen "
                f"{type(inner).__name__}."
            )
        if not frozen:
            self._print("LatentTransferRegressor: fitting the VAE on the primary spectra")
            return clone(vae).fit(Y, **fit_params)
        check_is_fitted(inner, msg="The frozen VAE is not fitted; fit it before freezing it.")
        if self.target == "latent":
            width = inner.latent_dim_ if isinstance(inner, LatentLibrary) else inner.latent_dim
            if Y.shape[1] != width:
                raise ValueError(
                    f"y has {Y.shape[1]} columns, but the frozen {type(inner).__name__}'s "
                    f"latent space has {width} dimensions; with target='latent', "
                    "y must be latent coordinates (e.g. a LatentLibrary's codes_)."
                )
            return vae
        if inner.n_features_in_ != Y.shape[1]:
            raise ValueError(
                f"The frozen VAE was fitted on primary spectra of {inner.n_features_in_} "
                f"channels, but Y has {Y.shape[1]} channels. Y must be the primary "
                "system's spectra, preprocessed as the VAE's training spectra were."
            )
        return vae

    def _check_objective(self, mapper):
        if self.objective == "latent":
            return
        if self.target == "latent":
            raise ValueError(
                "objective='spectra' fine-tunes on the primary spectra, but with "
                "target='latent' y holds latent coordinates; use target='spectra'."
            )
        if not isinstance(mapper, SpectralMLPRegressor):
            raise TypeError(
                "objective='spectra' trains the mapping network through the decoder, so "
                f"the mapper must be a SpectralMLPRegressor; got {type(mapper).__name__}."
            )

    def _validation_pairs(self, mapper, X_val, y_val):
        """``(X_val, Y_val)`` validated against the training data's widths, or None."""
        if X_val is None and y_val is None:
            return None
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val go together: give both or neither.")
        if "X_val" not in inspect.signature(mapper.fit).parameters:
            raise TypeError(
                f"X_val and y_val are for the mapper's early stopping, but "
                f"{type(mapper).__name__}.fit takes no validation data; use a "
                "ResidualMLPRegressor mapper."
            )
        X_val = validate_spectra(self, X_val, dtype=[np.float32, np.float64], reset=False)
        Y_val = as_2d_targets(check_array(y_val, ensure_2d=False, input_name="y_val"))
        if len(Y_val) != len(X_val):
            raise ValueError(
                f"X_val has {len(X_val)} rows but y_val has {len(Y_val)}; they must be the "
                "same samples."
            )
        return X_val, Y_val

    def _print(self, message):
        if self.verbose:
            print(message, flush=True)

    def _fit_params(self, sample_weight, fit_params, mapper):
        """``(vae's, mapper's)`` fit keyword arguments: routed, or the weights where they apply."""
        routed = routed_fit_params(self, sample_weight, fit_params)
        if routed is not None:
            return dict(routed.vae.fit), dict(routed.mapper.fit)
        if sample_weight is None:
            return {}, {}
        check_takes_sample_weight(mapper, "mapper")
        vae = unwrap_frozen(self._vae_or_default())
        frozen = isinstance(self.vae, FrozenEstimator)
        # A LatentLibrary (its PCA takes no weights) and a frozen VAE fit unweighted.
        takes = not frozen and has_fit_parameter(vae, "sample_weight")
        weights = {"sample_weight": sample_weight}
        return (weights if takes else {}), weights

    @fit_context
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        X_val: ArrayLike | None = None,
        y_val: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
        **fit_params: Any,
    ) -> Self:
        """Fit the VAE on the primary spectra (unless frozen) and the mapper.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_secondary_channels)
            Secondary spectra.
        y : array-like of shape (n_samples, n_primary_channels)
            Primary spectra of the same samples (same rows), or their
            latent codes with ``target="latent"``.
        X_val, y_val : array-like, default=None
            Validation pairs (e.g. measured on another day) for the
            mapper's early stopping, in the form of ``X`` and ``y``; they
            are encoded like ``y`` and passed on as the mapper's ``X_val``
            and ``y_val`` (a :class:`ResidualMLPRegressor` takes them).

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        TrainingDivergedError
            If the VAE's or the mapping network's training diverges.
        """
        X, Y = validate_spectra(
            self, X, y, multi_output=True, y_numeric=True, dtype=[np.float32, np.float64]
        )
        y_1d = Y.ndim == 1
        Y = as_2d_targets(Y)
        mapper = self._mapper_or_default()
        self._check_objective(mapper)
        validation = self._validation_pairs(mapper, X_val, y_val)
        vae_params, mapper_params = self._fit_params(sample_weight, fit_params, mapper)
        seed = seed_from(self.random_state)
        vae = self._fitted_vae(Y, seed, vae_params)
        latent = Y if self.target == "latent" else vae.transform(Y)
        mapper = clone(mapper)
        if self.random_state is not None:
            seed_random_states(mapper, seed)
        name = "MLP" if isinstance(mapper, SpectralMLPRegressor) else type(mapper).__name__
        self._print(f"LatentTransferRegressor: fitting the {name} to the latent space")
        if validation is None:
            mapper.fit(X, latent, **mapper_params)
        else:
            X_val, Y_val = validation
            codes_val = Y_val if self.target == "latent" else vae.transform(Y_val)
            mapper.fit(X, latent, X_val=X_val, y_val=codes_val, **mapper_params)
        history = None
        if self.objective == "spectra":
            self._print("LatentTransferRegressor: fine-tuning the MLP on the decoded spectra")
            decoder, scaler = _decoder_and_scaling(vae)
            spectra = Y if scaler is None else scaler.transform(Y)
            mapper, history = mapper._fine_tuned(
                X,
                spectra,
                decoder,
                anchor=latent,
                anchor_weight=self.latent_weight,
                sample_weight=mapper_params.get("sample_weight"),
            )
            keys = ("epoch", "train_loss", "valid_loss")
            history = [{k: row[k] for k in keys if k in row} for row in history]
        self.vae_, self.mapper_, self.fine_tune_history_ = vae, mapper, history
        n_outputs = unwrap_frozen(vae).n_features_in_
        self.latent_dim_, self.n_outputs_, self._y_1d = latent.shape[1], n_outputs, y_1d
        return self

    def get_metadata_routing(self) -> MetadataRouter:
        """How ``fit`` routes metadata: to the VAE's and the mapper's ``fit``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The routing (used with ``enable_metadata_routing=True``).
        """
        return fit_router(self, vae=self._vae_or_default(), mapper=self._mapper_or_default())

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Latent coordinates of secondary spectra (the mapper's output).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_secondary_channels)
            Secondary spectra.

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
            Points in the primary VAE's latent space.
        """
        check_is_fitted(self)
        X = validate_spectra(self, X, dtype=[np.float32, np.float64], reset=False)
        return self.mapper_.predict(X).reshape(len(X), -1)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Primary spectra predicted from secondary spectra.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_secondary_channels)
            Secondary spectra.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_primary_channels)
            Predicted primary spectra, in the dtype of ``X``.
        """
        check_is_fitted(self)
        Y = self.vae_.inverse_transform(self.transform(X))
        return Y.ravel() if self._y_1d else Y

    def fit_transform(
        self, X: ArrayLike, y: ArrayLike | None = None, **fit_params: Any
    ) -> np.ndarray:
        """Fit, then return the latent coordinates of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_secondary_channels)
            Secondary spectra.
        y : array-like of shape (n_samples, n_primary_channels)
            Primary spectra of the same samples.
        **fit_params : dict
            Passed to :meth:`fit`.

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
            Points in the primary VAE's latent space.
        """
        # TransformerMixin's fit_transform would call fit(X) without y.
        return self.fit(X, y, **fit_params).transform(X)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the latent coordinates: those of the VAE's latent space.

        Parameters
        ----------
        input_features : None
            Ignored; the output names do not depend on the input's.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.vae_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        vae = LatentLibrary() if self.vae is None else self.vae
        mapper = ResidualMLPRegressor() if self.mapper is None else self.mapper
        tags.non_deterministic = any(get_tags(model).non_deterministic for model in (vae, mapper))
        return tags
