"""The augmentation paper's protocol: Monte-Carlo cross-validation of strategies."""

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.dummy import DummyRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, KFold, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_array, check_consistent_length
from threadpoolctl import threadpool_limits

from sklspec.augmentation import VAEAugmenter, reference_regressor
from sklspec.utils._optional import import_optional
from sklspec.utils._seeding import seed_from, seed_random_states
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike

#: The strategy without augmentation, the reference of the paired tests.
BASELINE = "E"


def paper_augmentation_strategies(vae: EstimatorLike | None = None) -> dict[str, Any]:
    """The augmentation paper's strategies plus the aggregate posterior.

    Parameters
    ----------
    vae : VAEEncoder or None, default=None
        The autoencoder every augmenter trains (None: the paper's preset).

    Returns
    -------
    strategies : dict
        ``{"E": None, "E+VAE(n)": ..., "E+VAE(u)": ..., "E+cVAE(n)": ...,
        "E+VAE(agg)": ..., "E+VAE(interp)": ...}``: no augmentation, then
        :class:`VAEAugmenter` sampling the normal and the uniform latent
        distributions, the conditional VAE with the normal one (the paper's
        Fig. 7), and this package's additions: sampling the aggregate
        posterior, and interpolating between latent neighbours.

    Examples
    --------
    >>> from sklspec.papers import paper_augmentation_strategies
    >>> list(paper_augmentation_strategies())
    ['E', 'E+VAE(n)', 'E+VAE(u)', 'E+cVAE(n)', 'E+VAE(agg)', 'E+VAE(interp)']
    """
    return {
        BASELINE: None,
        "E+VAE(n)": VAEAugmenter(vae, sampling="normal"),
        "E+VAE(u)": VAEAugmenter(vae, sampling="uniform"),
        "E+cVAE(n)": VAEAugmenter(vae, sampling="normal", conditional=True),
        "E+VAE(agg)": VAEAugmenter(vae, sampling="aggregate"),
        "E+VAE(interp)": VAEAugmenter(vae, sampling="interpolate"),
    }


def check_spectra_and_targets(X, y, target_names):
    """``(X, Y, names)``: float spectra, 2-D targets of the same rows, a name per target."""
    X = check_array(X, dtype=np.float64, input_name="X")
    y = check_array(y, dtype=np.float64, ensure_2d=False, input_name="y")
    check_consistent_length(X, y)
    Y = y.reshape(len(y), -1)
    names = [f"target {j}" for j in range(Y.shape[1])] if target_names is None else target_names
    if len(names) != Y.shape[1]:
        raise ValueError(f"target_names has {len(names)} names for {Y.shape[1]} targets.")
    return X, Y, list(names)


def resolve_strategies(strategies):
    """A strategies dict from a dict, names of the paper's strategies, or None (all of them)."""
    if isinstance(strategies, dict):
        resolved = strategies
    else:
        known = paper_augmentation_strategies()
        if strategies is None:
            return known
        unknown = [name for name in strategies if name not in known]
        if unknown:
            raise ValueError(
                f"Unknown strategy {unknown[0]!r}; choose from {', '.join(known)}, or pass "
                "a dict {name: augmenter}."
            )
        resolved = {name: known[name] for name in strategies}
    if resolved.get(BASELINE, "missing") is not None:
        raise ValueError(f'strategies must include "{BASELINE}": None, the reference.')
    return resolved


#: Context rows: the mean predictor, and PLS on each strategy's training set.
MEAN, PLS = "mean:E", "PLS:"
#: The row of the strategy chosen per target by inner cross-validation.
CV_CHOSEN = "E+CV"


def _regressor(regressor, seed):
    regressor = reference_regressor() if regressor is None else clone(regressor)
    return seed_random_states(regressor, seed)


class _PerTargetRegressor(RegressorMixin, BaseEstimator):
    """One regressor per column of ``y``, each with its own hyperparameters."""

    def __init__(self, estimators):
        self.estimators = estimators

    def fit(self, X, Y):
        self.estimators_ = [
            clone(estimator).fit(X, Y[:, j]) for j, estimator in enumerate(self.estimators)
        ]
        return self

    def predict(self, X):
        return np.column_stack([estimator.predict(X) for estimator in self.estimators_])


def _searched_params(fitted):
    """Per target, the hyperparameters a reference regressor's searches chose; None if none."""
    searches = getattr(getattr(fitted, "regressor_", None), "estimators_", None)
    if not searches or not all(hasattr(search, "best_params_") for search in searches):
        return None
    return [search.best_params_ for search in searches]


def _with_params_of(fitted, seed):
    """A regressor for the augmented sets: ``fitted`` with each target's search result fixed.

    Hyperparameters are chosen once per split, on the measured spectra, and
    held for every strategy, so that a change is augmentation's and not a
    search's on a set that is half generated (and the search is not paid
    again per strategy).
    """
    params = _searched_params(fitted)
    if params is None:
        return None
    # A list parameter hides its estimators from get_params: seed each one.
    networks = [
        seed_random_states(clone(search.estimator).set_params(**chosen), seed)
        for search, chosen in zip(fitted.regressor_.estimators_, params, strict=True)
    ]
    return TransformedTargetRegressor(
        regressor=_PerTargetRegressor(networks), transformer=clone(fitted.transformer)
    )


def _tuned_pls(X, Y):
    """PLS with its components chosen by 5-fold CV on the real training part."""
    upper = min(20, X.shape[1], int(0.8 * len(X)) - 1)
    search = GridSearchCV(
        PLSRegression(scale=False),
        {"n_components": list(range(1, max(upper, 1) + 1))},
        cv=min(5, len(X)),
        scoring="neg_mean_absolute_error",
    )
    return search.fit(X, Y).best_params_["n_components"]


def _fit_and_score(X, Y, train, parts, strategies, regressor, seed, context, choose=None):
    # Calibration sets are small matrices: OpenBLAS's threads cost more than
    # they give (the reference networks' L-BFGS fit on 210 x 911 spectra took
    # 5.4 s with 2 threads, 1.6 s with one), so BLAS runs single-threaded for
    # the split, as scikit-learn's KMeans does; torch keeps its own threads.
    with threadpool_limits(limits=1, user_api="blas"):
        errors, acceptance, params = _fit_and_score_split(
            X, Y, train, parts, strategies, regressor, seed, context
        )
        chosen = None
        if choose:
            chosen = _choose_by_inner_cv(X, Y, train, strategies, regressor, seed, context, choose)
            for family, picks in chosen.items():
                errors[family + CV_CHOSEN] = {
                    part: np.array([errors[family + pick][part][j] for j, pick in enumerate(picks)])
                    for part in errors[BASELINE]
                }
        return errors, acceptance, params, chosen


def _choose_by_inner_cv(X, Y, train, strategies, regressor, seed, context, n_folds):
    """Per model family and target, the strategy with the least inner-CV MAE on ``train``.

    The whole procedure of a split (scaling, the reference's search, every
    augmenter, PLS's components) is repeated on each inner training fold and
    scored on the inner validation fold, real spectra only. ``"E"`` comes
    first and wins ties. Returns ``{"": [strategy per target], "PLS:": [...]}``
    (the networks' family, and PLS's with ``context``).
    """
    folds = KFold(n_folds, shuffle=True, random_state=seed).split(train)
    total = {}
    for inner_train, inner_val in folds:
        errors, _, _ = _fit_and_score_split(
            X, Y, train[inner_train], {"inner": train[inner_val]}, strategies, regressor, seed,
            context,
        )  # fmt: skip
        for name, parts in errors.items():
            total[name] = total.get(name, 0) + parts["inner"]
    families = ["", PLS] if context else [""]
    return {
        family: [
            min(strategies, key=lambda name: total[family + name][j])
            for j in range(Y.shape[1])
        ]
        for family in families
    }


def _fit_and_score_split(X, Y, train, parts, strategies, regressor, seed, context):
    """Fit every strategy (and the context models) on ``train``; MAE per target on each part.

    The spectra are min-max scaled per channel on the training part, as in
    the paper. The regressor trained on E labels the spectra of augmenters
    without a labeler of their own (frozen): the paper's first step. Each
    augmented training set is generated once and serves every model.
    Hyperparameters the reference regressor searched (its L2 per target) are
    chosen on E and held for the augmented sets. Returns ``({model: {part:
    errors}}, {strategy: acceptance rate}, [chosen hyperparameters per
    target] or None)``.
    """
    scaler = MinMaxScaler().fit(X[train])
    X_train, Y_train = scaler.transform(X[train]), Y[train]
    scaled = {
        part: (scaler.transform(X[rows]), Y[rows]) for part, rows in parts.items() if len(rows)
    }
    reference = _regressor(regressor, seed).fit(X_train, Y_train)
    augmented_regressor = _with_params_of(reference, seed)
    models, acceptance = {}, {}
    # PLS sees the spectra in their own units (it centres them itself):
    # min-max scaling blows up channels that barely vary in the training part,
    # which a linear model then extrapolates wildly on new spectra.
    n_components = _tuned_pls(X[train], Y_train) if context else None
    unscale = FunctionTransformer(scaler.inverse_transform)
    if context:
        models[MEAN] = DummyRegressor().fit(X_train, Y_train)
    for name, augmenter in strategies.items():
        if augmenter is None:
            X_fit, Y_fit, models[name] = X_train, Y_train, reference
        else:
            augmenter = clone(augmenter).set_params(random_state=seed)
            if augmenter.get_params().get("labeler", "own") is None:
                augmenter.set_params(labeler=FrozenEstimator(reference))
            X_fit, Y_fit = augmenter.fit_resample(X_train, Y_train)
            Y_fit = Y_fit.reshape(len(Y_fit), -1)
            if augmented_regressor is None:
                models[name] = _regressor(regressor, seed).fit(X_fit, Y_fit)
            else:
                models[name] = clone(augmented_regressor).fit(X_fit, Y_fit)
            acceptance[name] = augmenter.acceptance_rate_
        if context:
            pls = make_pipeline(unscale, PLSRegression(n_components, scale=False))
            models[PLS + name] = pls.fit(X_fit, Y_fit)
    errors = {
        name: {
            part: mean_absolute_error(
                Y_part, model.predict(X_part).reshape(len(Y_part), -1), multioutput="raw_values"
            )
            for part, (X_part, Y_part) in scaled.items()
        }
        for name, model in models.items()
    }
    return errors, acceptance, _searched_params(reference)


def _baseline_of(name):
    """The row a model's change and paired test refer to: PLS rows to PLS on E."""
    return PLS + BASELINE if name.startswith(PLS) else BASELINE


def _summary(scores, pd):
    """Mean, spread, change against the baseline and paired test per (model, target)."""
    from scipy.stats import ttest_rel

    test = scores.pivot_table("test_mae", ["strategy", "target"], "split", sort=False)
    table = pd.DataFrame(
        {
            "test_mae": test.mean(axis=1),
            "test_mae_std": test.std(axis=1),
            "validation_mae": scores.groupby(["strategy", "target"], sort=False)[
                "validation_mae"
            ].mean(),
        }
    )
    change, p_values = [], []
    for (name, target), row in test.iterrows():
        reference = test.loc[_baseline_of(name)].loc[target]
        change.append(row.mean() / reference.mean() - 1)
        same = name == _baseline_of(name) or test.shape[1] < 2
        p_values.append(np.nan if same else ttest_rel(row, reference).pvalue)
    table["change"] = change
    table["p_value"] = p_values
    return table


def compare_augmentation(
    X: ArrayLike,
    y: ArrayLike,
    *,
    strategies: dict[str, Any] | None = None,
    regressor: EstimatorLike | None = None,
    n_splits: int = 8,
    train_size: float = 0.7,
    test_size: float = 0.1,
    target_names: Sequence[str] | None = None,
    context: bool = True,
    choose: int | None = None,
    splits: Sequence[int] | None = None,
    random_state: RandomStateLike = None,
    verbose: int = 0,
) -> Bunch:
    """Run the augmentation paper's Monte-Carlo comparison (its Fig. 7).

    ``n_splits`` random train / validation / test splits (7:2:1 by
    default, ``ShuffleSplit``). In each split, every strategy trains the
    same regressor (same seed) on the training part, augmented or not, with
    the spectra min-max scaled per channel on the training part as in the
    paper. The model trained on E is the paper's reference: augmenters
    without a ``labeler`` of their own label their spectra with it (frozen).
    Hyperparameters the regressor searches per target (the default's L2)
    are chosen on E and held for the augmented sets, as a user would tune
    a model on the measured spectra before asking whether augmenting helps.
    Each model is scored by the mean absolute error per target on the test
    part (and on the validation part, reported alongside). Each augmented
    strategy is compared with ``"E"`` (no augmentation) by a paired t-test
    over the splits (``scipy.stats.ttest_rel``, two-sided).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels)
        Spectra.
    y : array-like of shape (n_samples, n_targets)
        Targets (e.g. concentrations).
    strategies : dict, list of str or None, default=None
        ``{name: augmenter or None}``, which must include ``"E": None``; or
        names from :func:`paper_augmentation_strategies` (with the paper's
        VAE); None takes them all.
    regressor : regressor, default=None
        The model every strategy trains; None means
        :func:`reference_regressor`, the paper's one MLP per target.
    n_splits : int, default=8
        Monte-Carlo splits (the paper's 8).
    train_size, test_size : float, default=0.7, 0.1
        Fractions of training and test samples; the rest validates.
    target_names : list of str, default=None
        Names of the targets for the table; default ``"target 0"`` etc.
    context : bool, default=True
        Also report the models a chemometrician would compare with, so that
        a gain is never measured against a broken baseline alone:
        ``"mean:E"``, predicting the training mean, and ``"PLS:<strategy>"``,
        a PLS regression trained on each strategy's training set (E, and
        each augmented one: augmentation is model-agnostic) with the spectra
        in their own units (min-max scaling inflates channels that barely
        vary, which a linear model extrapolates), its components chosen by
        5-fold cross-validation on the real training part of the split.
        PLS rows' change and p-value refer to ``"PLS:E"``.
    choose : int >= 2 or None, default=None
        Also report augmentation chosen as a user of
        :class:`~sklspec.augmentation.AugmentedRegressor` would have it
        chosen: in each split, a ``choose``-fold cross-validation on the
        real training part (the whole procedure repeated per inner fold)
        picks, per target, the strategy with the least MAE, ``"E"``
        included and winning ties. The row ``"E+CV"`` (and ``"PLS:E+CV"``
        with ``context``) holds the chosen strategy's errors, compared with
        E like the others; ``chosen`` lists the picks. Costs ``choose``
        more splits' worth of fits.
    splits : list of int or None, default=None
        Run only these of the ``n_splits`` splits (numbered from 0); None
        runs them all. Every split keeps the data and seeds it has in the
        full run, so a long comparison can be spread over several runs and
        put together with :func:`combine_augmentation_results`, which gives
        the full run's result.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits and, per split, the regressor and augmenters.
    verbose : int, default=0
        If > 0, report each split's progress.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``table``: a DataFrame indexed by (strategy, target) with the test
        MAE's mean and standard deviation over splits, the validation MAE's
        mean, the relative change of the test MAE against ``"E"`` and the
        paired test's p-value. ``scores``: one row per split, strategy and
        target. ``acceptance``: per split and strategy, the fraction of
        generated spectra the augmenter kept. ``reference_params``: per
        split and target, the hyperparameters the reference regressor's
        search chose on E and every augmented set then used (the default's
        L2; empty for a regressor without a per-target search).
        ``target_names``,
        ``strategies`` (the strategies' names, without the context rows),
        and ``chosen`` (with ``choose``: per split, model family and target,
        the strategy the inner cross-validation picked).

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklspec.augmentation import VAEAugmenter
    >>> from sklspec.papers import compare_augmentation
    >>> from sklspec.datasets import make_absorption_mixtures
    >>> from sklspec.vae import VAEEncoder
    >>> X, y = make_absorption_mixtures(150, return_X_y=True, random_state=0)
    >>> vae = VAEEncoder((16,), latent_dim=3, max_epochs=5, device="cpu")
    >>> result = compare_augmentation(
    ...     X, y[:, :2], regressor=Ridge(), n_splits=2, random_state=0,
    ...     strategies={"E": None, "E+cVAE": VAEAugmenter(vae, conditional=True)})
    >>> result.table.loc["E+cVAE"].columns.tolist()
    ['test_mae', 'test_mae_std', 'validation_mae', 'change', 'p_value']
    >>> list(dict.fromkeys(result.table.index.get_level_values("strategy")))
    ['mean:E', 'E', 'PLS:E', 'E+cVAE', 'PLS:E+cVAE']
    """
    pd = import_optional("pandas", "compare_augmentation")

    X, Y, names = check_spectra_and_targets(X, y, target_names)
    strategies = resolve_strategies(strategies)

    rng = check_random_state(random_state)
    splitter = ShuffleSplit(
        n_splits, train_size=train_size, test_size=test_size, random_state=seed_from(rng)
    )
    if choose is not None and (isinstance(choose, bool) or choose < 2):
        raise ValueError(f"choose must be a number of inner folds, at least 2; got {choose!r}.")
    to_run = _check_splits(splits, n_splits)
    rows, acceptance, reference_params, chosen_strategies = [], [], [], []
    start = time.perf_counter()
    for split, (train, test) in enumerate(splitter.split(X)):
        seed = seed_from(rng)  # drawn for every split, so a split's seed never depends on `splits`
        if split not in to_run:
            continue
        validation = np.setdiff1d(np.arange(len(X)), np.concatenate([train, test]))
        errors, rates, chosen, picks = _fit_and_score(
            X, Y, train, {"test": test, "validation": validation}, strategies, regressor,
            seed, context, choose,
        )  # fmt: skip
        for family, targets in (picks or {}).items():
            chosen_strategies += [
                {"split": split, "model": family or "networks", "target": target, "strategy": pick}
                for target, pick in zip(names, targets, strict=True)
            ]
        for name, parts in errors.items():
            for j, target in enumerate(names):
                validation_mae = parts["validation"][j] if "validation" in parts else np.nan
                rows.append(
                    {
                        "split": split,
                        "strategy": name,
                        "target": target,
                        "test_mae": parts["test"][j],
                        "validation_mae": validation_mae,
                    }
                )
        if chosen is not None:
            reference_params += [
                {"split": split, "target": target, **params}
                for target, params in zip(names, chosen, strict=True)
            ]
        acceptance += [
            {"split": split, "strategy": name, "acceptance_rate": rate}
            for name, rate in rates.items()
        ]
        if verbose:
            elapsed = time.perf_counter() - start
            print(f"compare_augmentation: split {split + 1}/{n_splits} done ({elapsed:.0f} s)")

    scores = pd.DataFrame(rows)
    return Bunch(
        table=_summary(scores, pd),
        scores=scores,
        acceptance=pd.DataFrame(acceptance, columns=["split", "strategy", "acceptance_rate"]),
        reference_params=pd.DataFrame(reference_params),
        target_names=list(names),
        strategies=list(strategies),
        chosen=pd.DataFrame(chosen_strategies, columns=["split", "model", "target", "strategy"]),
    )


def _check_splits(splits, n_splits):
    if splits is None:
        return set(range(n_splits))
    chosen = list(splits)
    if not chosen or any(
        isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < n_splits
        for k in chosen
    ):
        raise ValueError(
            f"splits must list split numbers from 0 to {n_splits - 1} (n_splits={n_splits}); "
            f"got {splits!r}."
        )
    return set(int(k) for k in chosen)


def combine_augmentation_results(results: Sequence[Bunch]) -> Bunch:
    """Put together :func:`compare_augmentation` runs over different splits.

    Runs with the same data, strategies and ``random_state`` but different
    ``splits`` give, combined, what one run over all those splits gives: the
    per-split tables are concatenated and the summary (means, changes and
    paired tests) is computed again over every split.

    Parameters
    ----------
    results : list of Bunch
        Results of :func:`compare_augmentation` over disjoint splits.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        As :func:`compare_augmentation` returns, over all the runs' splits.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklspec.datasets import make_absorption_mixtures
    >>> from sklspec.papers import combine_augmentation_results, compare_augmentation
    >>> X, y = make_absorption_mixtures(60, return_X_y=True, random_state=0)
    >>> runs = [compare_augmentation(X, y[:, :1], strategies=["E"], regressor=Ridge(),
    ...                              n_splits=2, splits=[k], random_state=0)
    ...         for k in (0, 1)]
    >>> combined = combine_augmentation_results(runs)
    >>> sorted(combined.scores["split"].unique().tolist())
    [0, 1]
    """
    pd = import_optional("pandas", "combine_augmentation_results")
    results = list(results)
    if not results:
        raise ValueError("combine_augmentation_results needs at least one result.")
    first = results[0]
    for other in results[1:]:
        if other.target_names != first.target_names or other.strategies != first.strategies:
            raise ValueError(
                "The results compare different targets or strategies: "
                f"{first.target_names}/{first.strategies} and "
                f"{other.target_names}/{other.strategies}."
            )
    seen = [set(result.scores["split"]) for result in results]
    if sum(map(len, seen)) != len(set().union(*seen)):
        raise ValueError("The results share splits; combine runs over different splits.")

    def concatenated(key):
        return pd.concat([result[key] for result in results], ignore_index=True).sort_values(
            "split", kind="stable", ignore_index=True
        ) if any(len(result[key]) for result in results) else first[key]

    scores = concatenated("scores")
    return Bunch(
        table=_summary(scores, pd),
        scores=scores,
        acceptance=concatenated("acceptance"),
        reference_params=concatenated("reference_params"),
        target_names=list(first.target_names),
        strategies=list(first.strategies),
        chosen=concatenated("chosen"),
    )
