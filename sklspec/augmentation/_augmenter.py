"""VAEAugmenter: new labelled spectra decoded from a VAE's latent space."""

import warnings
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin
from sklspec.exceptions import CollapsedGenerationWarning, LowAcceptanceWarning
from sklspec.utils._fit import fit_context
from sklspec.utils._seeding import seed_from, seed_random_states
from sklspec.utils._sklearn_compat import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike, Self
from sklspec.utils._warnings import user_stacklevel
from sklspec.utils.validation import check_positive_int, validate_data
from sklspec.vae import PRESETS, ConditionalVAE, VAEEncoder

# Latent neighbours a training spectrum is interpolated towards (SMOTE's default k).
_N_NEIGHBORS = 5


class _Generated:
    """A generated set: spectra, targets, spectra drawn, acceptance, label agreement."""

    def __init__(self, X, y, n_drawn, acceptance, agreement):
        self.X, self.y, self.n_drawn = X, y, n_drawn
        self.acceptance, self.agreement = float(acceptance), agreement


def _reading_error(labeler, X, Y, seed):
    """Per target, the fitted labeler's cross-validated RMSE on the real spectra ``X``, ``Y``."""
    searches = getattr(getattr(labeler, "regressor_", None), "estimators_", None)
    scale = getattr(getattr(labeler, "transformer_", None), "scale_", None)
    if (
        searches
        and scale is not None
        and all(getattr(search, "scoring", None) == "neg_mean_squared_error" for search in searches)
    ):
        # reference_regressor: each target's search scored standardized MSE out of fold.
        return np.sqrt([-search.best_score_ for search in searches]) * scale
    if isinstance(labeler, FrozenEstimator):
        predicted = labeler.predict(X)
    else:
        folds = KFold(min(3, len(X)), shuffle=True, random_state=seed)
        predicted = cross_val_predict(clone(labeler), X, Y, cv=folds)
    residual = np.asarray(predicted).reshape(Y.shape) - Y
    return np.sqrt(np.mean(residual**2, axis=0))


def _nonzero(scale):
    """Per-target standard deviations, with 1 where a target never varies."""
    return np.where(scale > 0, scale, 1.0)


def _spread_ratio(X_new, real_spread):
    """Median over varying channels of the generated spectra's spread over the real ones'."""
    varying = real_spread > 0
    if len(X_new) < 2 or not varying.any():
        return np.nan
    return float(np.median(X_new[:, varying].std(axis=0) / real_spread[varying]))


def _agreement(readings):
    """Per target, the correlation of the conditions with the labeler's reading; or None."""
    if not readings:
        return None
    conditions = np.concatenate([c for c, _ in readings])
    read = np.concatenate([r for _, r in readings])
    if len(conditions) < 2:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.array(
            [np.corrcoef(conditions[:, j], read[:, j])[0, 1] for j in range(read.shape[1])]
        )


#: L2 penalties ``reference_regressor`` chooses from, per target, by cross-validation.
REFERENCE_ALPHAS = (0.01, 1.0, 10.0)


@validate_params(
    {
        "random_state": ["random_state"],
        "solver": [StrOptions({"lbfgs", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def reference_regressor(
    random_state: RandomStateLike = None,
    *,
    solver: str = "lbfgs",
    alpha: Sequence[float] = REFERENCE_ALPHAS,
    cv: Any = 3,
    n_jobs: int | None = None,
) -> EstimatorLike:
    """The augmentation paper's reference regressor, one small MLP per target, that learns.

    "Autonomous determination" (Mushchina et al., 2025, 3.3-3.5): a separate
    network per target, 64-16 sigmoid hidden units, linear output, squared
    error. Built from scikit-learn's ``MultiOutputRegressor`` and
    ``MLPRegressor`` (fit it on a 2-D ``y``; one column is fine), with the
    targets standardized inside (``TransformedTargetRegressor``): predictions
    come back in the targets' units. Feed it spectra min-max scaled per
    channel, as the paper does.

    The paper trains with Adam (lr 1e-3, batch 64) and stops 250 epochs after
    the last improvement on held-out data. On a few dozen spectra that recipe
    does not learn: a batch of 64 is one step per epoch, and the held-out
    tenth is five spectra. On the corn data (oil, 56 training spectra, 8
    random 7:2:1 splits) it scored a test MAE of 0.193 (0.147 with the
    targets standardized), against 0.164 for predicting the mean and 0.050
    for PLS. Hence full-batch L-BFGS to 500 iterations.

    How much L2 a network needs depends on how strongly the spectra encode
    its target: on simulated absorption spectra (700 training spectra), an
    L2 of 0.01 fits Cu2+, which colours the solution, to a fifth of 10's
    error, while Zn2+, which absorbs only in the far UV, needs 10 to beat
    predicting the mean at all. So by default each target's network
    chooses its L2 from ``REFERENCE_ALPHAS`` by ``cv``-fold
    cross-validation (``GridSearchCV``, squared error on the standardized
    target, folds in the data's order).

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seed of the networks' initial weights (and, for ``"adam"``, of the
        batches and the early-stopping split).
    solver : {"lbfgs", "adam"}, default="lbfgs"
        ``"lbfgs"``: the networks trained to convergence, full batch, at
        most 500 iterations. ``"adam"``: the paper's recipe (lr 1e-3, batch
        64, early stopping on a tenth of the data, patience 50 epochs
        without a ``tol``-sized improvement), for reproducing it (with
        ``alpha=1e-4``, scikit-learn's default: the paper names no L2).
    alpha : float or array-like of float, default=(0.01, 1.0, 10.0)
        The networks' L2 penalty. A number: every network uses it. A list:
        each target's network chooses one by cross-validation, which costs
        ``cv`` fits per candidate more.
    cv : int, default=3
        Folds of the cross-validation that chooses ``alpha`` (unshuffled
        ``KFold``, so the choice does not depend on a seed). Ignored for a
        single ``alpha``.
    n_jobs : int or None, default=None
        Parallel fits of that cross-validation (``GridSearchCV``'s
        ``n_jobs``).

    Returns
    -------
    regressor : sklearn.compose.TransformedTargetRegressor
        Unfitted: ``MultiOutputRegressor`` of ``GridSearchCV(MLPRegressor)``
        (of the bare ``MLPRegressor`` for a single ``alpha``), with a
        ``StandardScaler`` on the targets. After ``fit``,
        ``regressor_.estimators_[j].best_params_`` holds target ``j``'s L2.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.augmentation import reference_regressor
    >>> model = reference_regressor(random_state=0)
    >>> network = model.regressor.estimator.estimator
    >>> network.hidden_layer_sizes, network.solver
    ((64, 16), 'lbfgs')
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(60, 20))
    >>> y = np.column_stack([X[:, 0] + X[:, 1], rng.normal(size=60)])
    >>> model.fit(X, y).predict(X[:2]).shape
    (2, 2)

    The first target is a function of the spectra, the second is noise:
    the second network takes a stronger penalty.

    >>> [search.best_params_["alpha"] for search in model.regressor_.estimators_]
    [0.01, 1.0]

    A single L2 for every target, without the search:

    >>> reference_regressor(alpha=0.01).regressor.estimator.alpha
    0.01
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import GridSearchCV
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.preprocessing import StandardScaler

    alphas = _check_alphas(alpha)
    network = dict(hidden_layer_sizes=(64, 16), activation="logistic", random_state=random_state)
    if solver == "lbfgs":
        network.update(solver="lbfgs", max_iter=500)
    else:
        network.update(
            solver="adam",
            learning_rate_init=1e-3,
            batch_size=64,
            max_iter=2000,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=50,
        )
    estimator = MLPRegressor(**network, alpha=alphas[0])
    if len(alphas) > 1:
        estimator = GridSearchCV(
            estimator,
            {"alpha": alphas},
            cv=cv,
            scoring="neg_mean_squared_error",
            n_jobs=n_jobs,
        )
    return TransformedTargetRegressor(
        regressor=MultiOutputRegressor(estimator), transformer=StandardScaler()
    )


def _check_alphas(alpha):
    """``alpha`` as a list of non-negative floats; one clear error otherwise."""
    try:
        alphas = np.atleast_1d(np.asarray(alpha, dtype=float))
    except (TypeError, ValueError):
        alphas = None
    if (
        alphas is None
        or alphas.ndim != 1
        or alphas.size == 0
        or not np.all(np.isfinite(alphas) & (alphas >= 0))
    ):
        raise InvalidParameterError(
            "The 'alpha' parameter of reference_regressor must be a non-negative number or a "
            f"non-empty list of them. Got {alpha!r} instead."
        )
    return [float(a) for a in alphas]


class VAEAugmenter(DocLinkMixin, BaseEstimator):
    """Augment a spectra-to-targets training set with spectra generated by a VAE.

    The augmentation paper's method (Mushchina et al., 2025, 3.4): a
    variational autoencoder learns the training spectra; new spectra are
    decoded from points drawn in its latent space and clipped to the valid
    range; reference regressors fitted on the real data label them; spectra
    whose predicted targets leave the plausible range (``[0, max observed]``
    per target) are rejected; drawing goes on until ``n_samples`` spectra
    are kept or ``max_rounds`` rounds have been drawn.

    With ``conditional=True`` the paper's conditional VAE (3.4.3) is
    trained instead: its decoder receives the targets too, so spectra are
    generated *for* target vectors (drawn from the training set, or given
    to :meth:`sample`). The paper takes them as they come; here the
    reference labeler reads each one's targets back, and spectra whose
    targets disagree with what they were generated for by more than
    ``label_tolerance`` standard deviations are rejected (a conditional VAE
    trained too little decodes nearly the same spectrum for every target).

    Every generated set is checked for collapse: when the generated
    spectra's spread per channel is below ``min_spread`` times the real
    spectra's, a :class:`~sklspec.exceptions.CollapsedGenerationWarning`
    names the fix. ``n_samples=0`` switches augmentation off (``fit`` then
    trains nothing), so that a search can weigh "no augmentation" against
    the rest (see :class:`AugmentedRegressor`).

    ``fit`` trains the models and generates the synthetic set once, which
    measures the acceptance rate; ``sample`` draws more. A sampler in
    imbalanced-learn's sense: ``fit_resample(X, y)`` returns the real samples
    followed by the synthetic ones, so it works as a step of
    ``imblearn.pipeline.Pipeline`` (acting during fit only), for continuous
    and multi-output ``y``. In a plain scikit-learn Pipeline or
    ``GridSearchCV``, use :class:`AugmentedRegressor`.

    Parameters
    ----------
    vae : VAEEncoder, ConditionalVAE or None, default=None
        The autoencoder to train (cloned). For ``conditional=True`` its
        parameters build a :class:`~sklspec.vae.ConditionalVAE`. None means
        ``VAEEncoder(**PRESETS["mushchina2025"])``, the paper's 256 sigmoid
        units and 91 latent dimensions with early stopping (patience 250).
    sampling : {"uniform", "normal", "aggregate", "interpolate"}, default="uniform"
        Where latent points are drawn:

        - ``"normal"``: a Gaussian per dimension with the mean and standard
          deviation of the training spectra's latent means (the paper's
          "normal distribution learned by the encoder");
        - ``"uniform"``: uniform between the per-dimension minimum and
          maximum of those latent means, the paper's best strategy;
        - ``"aggregate"``: the aggregate posterior, the mixture of the
          encoder's Gaussians ``N(mu_i, sigma_i^2)`` over training spectra
          (:meth:`VAEEncoder.posterior <sklspec.vae.VAEEncoder.posterior>`):
          pick a training spectrum, draw from its own posterior. New
          spectra stay near real ones, with their correlations between
          latent dimensions, which the per-dimension distributions above
          ignore. (Neither paper tried it; the paper's conclusion asks for
          better sampling.) With ``conditional=True``, the picked
          spectrum's targets are the condition;
        - ``"interpolate"``: a point on the segment between a training
          spectrum's latent mean and that of one of its 5 nearest
          neighbours in the latent space, at a uniform random position
          (SMOTE's idea, in the latent space). New spectra fill the gaps
          between neighbouring real ones, where the data are sparse, instead
          of being drawn around dense regions; with ``conditional=True``
          the targets are interpolated alike and are the condition. (This
          package's addition, aimed at the paper's stated goal of filling
          under-represented regions.)
    conditional : bool, default=False
        Train a conditional VAE; generated spectra get the targets they
        were generated for.
    n_samples : int or None, default=None
        Synthetic spectra to add; None doubles the training set (as many as
        the real ones), as in the paper; 0 adds none (nothing is trained).
    labeler : regressor or None, default=None
        Labels the generated spectra (and, with ``conditional=True`` and a
        ``label_tolerance``, checks them); cloned and fitted on the real
        data with a 2-D ``y``. None means :func:`reference_regressor`, the
        paper's one MLP per target.
    clip : "observed", (float, float) or None, default="observed"
        Range the generated spectra are clipped to: ``"observed"`` clips each
        channel to its range in the training spectra (for spectra min-max
        scaled per channel, as the paper's, that is its [0, 1]); a pair
        clips every channel to it; None leaves them.
    target_range : "zero_to_max", "observed" or None, default="zero_to_max"
        Plausible predicted targets: ``"zero_to_max"`` is the paper's [0,
        highest observed] per target; ``"observed"`` the observed [min, max];
        None accepts every generated spectrum. Unused when ``conditional``.
    label_tolerance : float > 0 or None, default=3.0
        With ``conditional=True``: reject a generated spectrum when the
        labeler's reading of any of its targets differs from the target it
        was generated for by more than this many times the labeler's own
        error on that target: its cross-validated root mean squared error
        on the real training spectra (from the searches of
        :func:`reference_regressor`, else 3-fold ``cross_val_predict``; for
        a ``FrozenEstimator``, its error on the training spectra), at least
        a tenth of the target's standard deviation. A target the spectra
        hardly show, which the labeler reads no better than the mean, thus
        rejects little; one it reads well holds the generated spectra to it.
        Rejected draws are replaced, and ``acceptance_rate_`` counts them.
        None keeps every conditional draw (the paper's way). Unused without
        ``conditional``, where the labeler gives the targets.
    min_spread : float >= 0 or None, default=0.5
        Warn (:class:`~sklspec.exceptions.CollapsedGenerationWarning`) when
        the spectra generated in ``fit`` vary, per channel (the median over
        channels of their standard deviation), less than this fraction of
        the training spectra's variation. None skips the check.
    max_rounds : int, default=20
        Rounds of drawing before giving up on reaching ``n_samples``.
    min_acceptance : float, default=0.2
        Warn (:class:`~sklspec.exceptions.LowAcceptanceWarning`) when a
        smaller fraction of the generated spectra is kept.
    random_state : int, RandomState instance or None, default=None
        Seeds the VAE, the labeler and the latent draws: the same integer
        gives the same synthetic data.

    Attributes
    ----------
    vae_ : VAEEncoder or ConditionalVAE
        The trained VAE.
    labeler_ : regressor or None
        The fitted labeler (None when ``conditional`` without
        ``label_tolerance``, or with ``n_samples=0``).
    acceptance_rate_ : float
        Fraction of the spectra generated in ``fit`` (the synthetic set that
        :meth:`fit_resample` returns) that were kept; NaN with
        ``n_samples=0``.
    n_generated_ : int
        Spectra decoded in ``fit``, kept or not.
    spread_ratio_ : float
        Median over channels of the standard deviation of the spectra kept
        in ``fit``, divided by that of the training spectra (channels that
        never vary left out): near 1 when the generated spectra vary as the
        real ones do, near 0 when the generator has collapsed. NaN with
        fewer than 2 kept spectra.
    label_agreement_ : ndarray of shape (n_targets,) or None
        With ``conditional=True`` and a labeler: per target, the correlation
        between the targets the spectra of ``fit`` were generated for and
        the labeler's reading of them (before rejection): near 1 when the
        VAE encodes the targets, near 0 when it ignores them. None
        otherwise.
    X_min_, X_max_ : ndarray of shape (``n_features_in_``,)
        Per-channel range of the training spectra.
    y_min_, y_max_ : ndarray of shape (n_targets,)
        Per-target range of the training targets.
    n_features_in_ : int
        Channels of the spectra seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names, when ``X`` had string column names.

    See Also
    --------
    AugmentedRegressor : Fit a regressor on the augmented data, for plain
        scikit-learn pipelines and searches.
    compare_augmentation : The paper's Monte-Carlo comparison of strategies.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklspec.augmentation import VAEAugmenter
    >>> from sklspec.datasets import make_absorption_mixtures
    >>> from sklspec.vae import VAEEncoder
    >>> X, y = make_absorption_mixtures(200, return_X_y=True, random_state=0)
    >>> X = MinMaxScaler().fit_transform(X)  # the paper's scaling
    >>> vae = VAEEncoder((32,), latent_dim=4, lr=1e-2, max_epochs=60, batch_size=32,
    ...                  device="cpu")
    >>> augmenter = VAEAugmenter(vae, conditional=True, labeler=Ridge(1e-3), random_state=0)
    >>> X_aug, y_aug = augmenter.fit_resample(X, y)
    >>> X_aug.shape, y_aug.shape
    ((400, 911), (400, 8))

    The quality gate's figures: nearly every draw agreed with its targets,
    the generated spectra vary as the real ones do, and the labeler reads
    back the ions that colour the solution (Cu2+, Fe3+, Ni2+) exactly:

    >>> round(augmenter.acceptance_rate_, 2), round(augmenter.spread_ratio_, 2)
    (0.99, 0.98)
    >>> augmenter.label_agreement_.round(1)[[1, 3, 4]]
    array([1., 1., 1.])
    """

    _parameter_constraints: dict = {
        "vae": [VAEEncoder, ConditionalVAE, None],
        "sampling": [StrOptions({"normal", "uniform", "aggregate", "interpolate"})],
        "conditional": ["boolean"],
        "n_samples": [Interval(Integral, 0, None, closed="left"), None],
        "labeler": [HasMethods(["fit", "predict"]), None],
        "clip": [StrOptions({"observed"}), "array-like", None],
        "target_range": [StrOptions({"zero_to_max", "observed"}), None],
        "label_tolerance": [Interval(Real, 0, None, closed="neither"), None],
        "min_spread": [Interval(Real, 0, None, closed="left"), None],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
        "min_acceptance": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        vae: EstimatorLike | None = None,
        *,
        sampling: str = "uniform",
        conditional: bool = False,
        n_samples: int | None = None,
        labeler: EstimatorLike | None = None,
        clip: str = "observed",
        target_range: str | tuple[float, float] = "zero_to_max",
        label_tolerance: float | None = 3.0,
        min_spread: float | None = 0.5,
        max_rounds: int = 20,
        min_acceptance: float = 0.2,
        random_state: RandomStateLike = None,
    ) -> None:
        self.vae = vae
        self.sampling = sampling
        self.conditional = conditional
        self.n_samples = n_samples
        self.labeler = labeler
        self.clip = clip
        self.target_range = target_range
        self.label_tolerance = label_tolerance
        self.min_spread = min_spread
        self.max_rounds = max_rounds
        self.min_acceptance = min_acceptance
        self.random_state = random_state

    # ------------------------------------------------------------ fitting

    def _check_params(self, n_samples):
        if self.clip is not None and not isinstance(self.clip, str):
            if np.ndim(self.clip) != 1 or len(self.clip) != 2 or self.clip[0] >= self.clip[1]:
                raise InvalidParameterError(
                    "The 'clip' parameter of VAEAugmenter must be 'observed', a pair "
                    f"(low, high) with low < high, or None. Got {self.clip!r} instead."
                )
        if isinstance(self.vae, ConditionalVAE) and not self.conditional:
            raise ValueError("vae is a ConditionalVAE: pass conditional=True.")
        if n_samples < 2:
            raise ValueError(
                "VAEAugmenter needs at least 2 samples to train a VAE; "
                f"got n_samples = {n_samples}."
            )

    def _fit(self, X, Y):
        """Train the VAE (and the labeler); return the fitted attributes."""
        rng = check_random_state(self.random_state)
        vae_seed, labeler_seed, sample_seed = (seed_from(rng) for _ in range(3))
        template = VAEEncoder(**PRESETS["mushchina2025"]) if self.vae is None else self.vae
        if self.conditional:
            params = {**template.get_params(), "random_state": vae_seed}
            vae = ConditionalVAE(**params).fit(X, Y)
        else:
            vae = clone(template).set_params(random_state=vae_seed).fit(X)
        labeler = None
        if not self.conditional or self.label_tolerance is not None:
            labeler = reference_regressor() if self.labeler is None else clone(self.labeler)
            labeler = seed_random_states(labeler, labeler_seed).fit(X, Y)
        reading_error = None
        if self.conditional and labeler is not None:
            floor = 0.1 * _nonzero(Y.std(axis=0))
            reading_error = np.maximum(_reading_error(labeler, X, Y, labeler_seed), floor)
        # The aggregate posterior is the mixture of every training spectrum's
        # Gaussian; kept whatever the sampling, which set_params may change.
        posterior = vae.posterior(X)
        n_neighbors = min(_N_NEIGHBORS, len(X) - 1)
        neighbours = (
            NearestNeighbors(n_neighbors=n_neighbors + 1)
            .fit(posterior[0])
            .kneighbors(posterior[0], return_distance=False)[:, 1:]
        )
        return {
            "_neighbours": neighbours,
            "vae_": vae,
            "labeler_": labeler,
            "X_min_": X.min(axis=0),
            "X_max_": X.max(axis=0),
            "y_min_": Y.min(axis=0),
            "y_max_": Y.max(axis=0),
            "_reading_error": reading_error,
            "_X_spread": X.std(axis=0),
            "_posterior": posterior,
            "_y_train": Y,
            "_sample_seed": sample_seed,
        }

    def _validate(self, X, y):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        self._check_params(len(X))
        return X, y

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Train the VAE (and the labeler) and generate the synthetic set once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Training spectra (the paper min-max scales each channel).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.

        Returns
        -------
        self : VAEAugmenter
            The fitted augmenter.
        """
        self._fit_resample(*self._validate(X, y))
        return self

    @fit_context
    def fit_resample(self, X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Fit, then return the real samples followed by synthetic ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Training spectra.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.

        Returns
        -------
        X_resampled : ndarray of shape (n_samples + n_new, n_channels)
            The real spectra, then the generated ones (in ``X``'s float dtype).
        y_resampled : ndarray of shape (n_samples + n_new,) or (n_samples + n_new, n_targets)
            Their targets.
        """
        X, y = self._validate(X, y)
        X_new, y_new = self._fit_resample(X, y)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        return (
            np.concatenate([X.astype(dtype, copy=False), X_new.astype(dtype)]),
            np.concatenate([y.astype(np.float64, copy=False), y_new]),
        )

    def _fit_resample(self, X, y):
        """Train, generate the default synthetic set, and set the fitted attributes."""
        Y = y.reshape(len(y), -1)
        if self.n_samples == 0:
            # No augmentation: nothing to train, nothing to add.
            vars(self).update(
                vae_=None,
                labeler_=None,
                n_generated_=0,
                acceptance_rate_=np.nan,
                spread_ratio_=np.nan,
                label_agreement_=None,
                _y_ndim=y.ndim,
            )
            return X[:0].astype(np.float64), y[:0].astype(np.float64)
        fitted = self._fit(X, Y)
        vars(self).update(fitted, _y_ndim=y.ndim)
        n_samples = len(X) if self.n_samples is None else self.n_samples
        generated = self._generate(n_samples, None, check_random_state(self._sample_seed))
        X_new, y_new = generated.X, generated.y
        self.n_generated_, self.acceptance_rate_ = generated.n_drawn, generated.acceptance
        self.label_agreement_ = generated.agreement
        self.spread_ratio_ = _spread_ratio(X_new, self._X_spread)
        if self.min_spread is not None and self.spread_ratio_ < self.min_spread:
            warnings.warn(
                f"The generated spectra vary {self.spread_ratio_:.2f} times as much as the "
                f"real ones (median over channels; min_spread={self.min_spread}): the "
                f"{'conditional ' if self.conditional else ''}VAE decodes nearly the same "
                "spectrum wherever it is sampled, and a model trained on them learns little. "
                "Train it longer (max_epochs, patience), lower its KL weight (beta), or try "
                "another sampling.",
                CollapsedGenerationWarning,
                stacklevel=user_stacklevel(),
            )
        return X_new, y_new

    # ------------------------------------------------------------ sampling

    def _draw_latent(self, n, rng):
        """``n`` latent points, and the targets they stand for (None if the draw has none)."""
        if self.sampling in ("normal", "uniform"):
            Z = self.vae_.sample_latent(n, distribution=self.sampling, random_state=rng)
            return Z, None
        mean, std = self._posterior
        rows = rng.randint(len(mean), size=n)
        if self.sampling == "aggregate":
            return rng.normal(mean[rows], std[rows]), self._y_train[rows]
        partners = self._neighbours[rows, rng.randint(self._neighbours.shape[1], size=n)]
        position = rng.uniform(size=(n, 1))
        Z = mean[rows] + position * (mean[partners] - mean[rows])
        Y = self._y_train[rows] + position * (self._y_train[partners] - self._y_train[rows])
        return Z, Y

    def _clip(self, X):
        if self.clip is None:
            return X
        low, high = (self.X_min_, self.X_max_) if isinstance(self.clip, str) else self.clip
        return np.clip(X, low, high, out=X)

    def _plausible(self, Y):
        if self.target_range is None:
            return np.ones(len(Y), dtype=bool)
        low = np.zeros_like(self.y_min_) if self.target_range == "zero_to_max" else self.y_min_
        return np.all((Y >= low) & (Y <= self.y_max_), axis=1)

    def sample(
        self,
        n_samples: int | None = None,
        *,
        y: ArrayLike | None = None,
        random_state: RandomStateLike = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Generate labelled synthetic spectra (without the real ones).

        Parameters
        ----------
        n_samples : int or None, default=None
            Spectra to generate; None takes the ``n_samples`` parameter (by
            default, as many as the training spectra).
        y : array-like of shape (n, n_targets), default=None
            Conditional mode only: the target vectors to generate spectra
            for (``n_samples`` is then ``len(y)``). None draws them from the
            training targets.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws; None uses the one derived from the
            augmenter's ``random_state`` in ``fit``, so repeated calls
            return the same spectra (those ``fit_resample`` returned).

        Returns
        -------
        X_new : ndarray of shape (n_kept, n_channels)
            Generated spectra (float64, clipped); ``n_kept`` is ``n_samples`` unless
            too few plausible spectra were found in ``max_rounds`` rounds
            (a :class:`~sklspec.exceptions.LowAcceptanceWarning` says so).
        y_new : ndarray of shape (n_kept,) or (n_kept, n_targets)
            Their targets, shaped like the training ``y``.
        """
        check_is_fitted(self)
        if self.vae_ is None:
            raise ValueError(
                "This augmenter was fitted with n_samples=0, which trains no VAE; refit it "
                "with n_samples > 0 (or None) to generate spectra."
            )
        rng = check_random_state(self._sample_seed if random_state is None else random_state)
        if y is not None:
            if not self.conditional:
                raise ValueError("y is only used by a conditional augmenter (conditional=True).")
            conditions = np.asarray(y, dtype=np.float64)
            if conditions.size == 0:
                raise ValueError(
                    f"y must hold at least one target vector to generate spectra for; got shape "
                    f"{conditions.shape}."
                )
            conditions = conditions.reshape(len(conditions), -1)
            n_conditions = self.vae_.n_conditions_
            if conditions.shape[1] != n_conditions or not np.isfinite(conditions).all():
                raise ValueError(
                    f"y must hold finite target vectors of {n_conditions} values; "
                    f"got shape {np.shape(y)}."
                )
            n_samples = len(conditions)
        else:
            n_samples = self.n_samples if n_samples is None else n_samples
            n_samples = len(self._y_train) if n_samples is None else n_samples
            n_samples = check_positive_int(n_samples, "n_samples")
            conditions = None
        generated = self._generate(n_samples, conditions, rng)
        return generated.X, generated.y

    def _generate(self, n, conditions, rng):
        """``n`` synthetic samples (fewer if too few pass), with how many were drawn."""
        if conditions is not None:
            generated = self._sample_for(conditions, rng)
        else:
            generated = self._sample_drawn(n, rng)
        Y = generated.y
        generated.y = Y.ravel() if self._y_ndim == 1 else Y
        return generated

    def _decode(self, Z, conditions):
        Z = Z.astype(np.float32)
        X = self.vae_.inverse_transform(Z) if conditions is None else (
            self.vae_.inverse_transform(Z, conditions)
        )
        return self._clip(X.astype(np.float64))

    def _check_draws(self, Z, conditions):
        """Decode ``Z``; the spectra, their targets, which pass, and the labeler's reading."""
        if not self.conditional:
            X_new = self._decode(Z, None)
            Y_new = self.labeler_.predict(X_new).reshape(len(Z), -1)
            return X_new, Y_new, self._plausible(Y_new), None
        conditions = conditions.astype(np.float64)
        X_new = self._decode(Z, conditions)
        if self.labeler_ is None:
            return X_new, conditions, np.ones(len(Z), dtype=bool), None
        read = self.labeler_.predict(X_new).reshape(len(Z), -1)
        off = np.abs(read - conditions) / self._reading_error
        return X_new, conditions, np.all(off <= self.label_tolerance, axis=1), read

    def _conditions_for(self, n, drawn_targets, rng):
        # The paper generates for target vectors of the training set; the
        # aggregate posterior and interpolation bring their own targets.
        if drawn_targets is not None:
            return drawn_targets
        return self._y_train[rng.randint(len(self._y_train), size=n)]

    def _sample_drawn(self, n, rng):
        kept_X, kept_Y, n_kept, n_drawn, readings = [], [], 0, 0, []
        for _ in range(self.max_rounds):
            # Draw for what is missing, scaled up by the acceptance seen so far.
            rate = n_kept / n_drawn if n_drawn else 1.0
            n_draw = int(min(max((n - n_kept) / max(rate, 0.05), 64), 20 * n))
            if self.conditional and self.labeler_ is None:
                n_draw = n  # every draw is kept: draw no more than asked
            Z, drawn_targets = self._draw_latent(n_draw, rng)
            conditions = (
                self._conditions_for(n_draw, drawn_targets, rng) if self.conditional else None
            )
            X_new, Y_new, keep, read = self._check_draws(Z, conditions)
            if read is not None:
                readings.append((conditions, read))
            kept_X.append(X_new[keep])
            kept_Y.append(Y_new[keep])
            n_kept += int(keep.sum())
            n_drawn += n_draw
            if n_kept >= n:
                break
        self._warn_acceptance(n, n_kept, n_drawn)
        return _Generated(
            np.concatenate(kept_X)[:n],
            np.concatenate(kept_Y)[:n],
            n_drawn,
            n_kept / n_drawn,
            _agreement(readings),
        )

    def _sample_for(self, conditions, rng):
        """One spectrum per given target vector, redrawn where the reading disagrees."""
        n = len(conditions)
        X_out = np.empty((n, len(self.X_min_)))
        done = np.zeros(n, dtype=bool)
        n_drawn, readings = 0, []
        for _ in range(self.max_rounds):
            pending = np.flatnonzero(~done)
            Z, _ = self._draw_latent(len(pending), rng)
            X_new, _, keep, read = self._check_draws(Z, conditions[pending])
            if read is not None:
                readings.append((conditions[pending], read))
            X_out[pending[keep]] = X_new[keep]
            done[pending[keep]] = True
            n_drawn += len(pending)
            if done.all():
                break
        self._warn_acceptance(n, int(done.sum()), n_drawn)
        return _Generated(
            X_out[done], conditions[done], n_drawn, done.sum() / n_drawn, _agreement(readings)
        )

    def _warn_acceptance(self, n, n_kept, n_drawn):
        acceptance = n_kept / n_drawn
        what = (
            "agreed with the targets they were generated for (label_tolerance="
            f"{self.label_tolerance})"
            if self.conditional
            else "had targets in the plausible range"
        )
        fix = (
            "train the VAE longer, lower its KL weight (beta), or raise label_tolerance"
            if self.conditional
            else "raise max_rounds, train the VAE longer or widen target_range"
        )
        if n_kept < n:
            warnings.warn(
                f"Only {n_kept} of the {n} requested spectra {what} after {self.max_rounds} "
                f"rounds ({n_drawn} generated); returning those. To keep more, {fix}.",
                LowAcceptanceWarning,
                stacklevel=user_stacklevel(),
            )
        elif acceptance < self.min_acceptance:
            warnings.warn(
                f"Only {acceptance:.0%} of the generated spectra {what} "
                f"(min_acceptance={self.min_acceptance}); the VAE may generate implausible "
                f"spectra: {fix}.",
                LowAcceptanceWarning,
                stacklevel=user_stacklevel(),
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags
