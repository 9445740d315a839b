"""How many measured spectra does augmentation save? Test error against training-set size."""

import time
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.model_selection import ShuffleSplit
from sklearn.utils import Bunch, check_random_state

from sklspec.papers._augmentation_comparison import (
    BASELINE,
    MEAN,
    PLS,
    _baseline_of,
    _fit_and_score,
    check_spectra_and_targets,
    resolve_strategies,
)
from sklspec.utils._optional import import_optional
from sklspec.utils._seeding import seed_from
from sklspec.utils._sklearn_compat import Interval, validate_params
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike

#: Fewest measured spectra a fraction may leave: a VAE, a reference network
#: and a 5-fold PLS search need a handful.
MIN_TRAINING_SPECTRA = 5


def _check_fractions(fractions, n_train):
    fractions = np.asarray(fractions, dtype=np.float64).ravel()
    if fractions.size == 0:
        raise ValueError("fractions must hold at least one fraction of the training part.")
    bad = fractions[~((fractions > 0) & (fractions <= 1))]
    if bad.size:
        raise ValueError(
            f"fractions must lie in (0, 1] (shares of the training part); got {bad[0]:g}."
        )
    fractions = np.unique(fractions)
    smallest = round(fractions[0] * n_train)
    if smallest < MIN_TRAINING_SPECTRA:
        raise ValueError(
            f"fraction {fractions[0]:g} keeps {smallest} of the {n_train} training spectra; "
            f"at least {MIN_TRAINING_SPECTRA} are needed. Use a larger fraction or more data."
        )
    return fractions


def _equivalent_sizes(table, n_train):
    """Measured spectra each row's model family needs on E for its error (NaN off the curve).

    A row is read off the E curve of its own family: the networks' rows off
    ``"E"``, PLS rows off ``"PLS:E"``, the mean's off ``"mean:E"``. Each
    curve is taken as its running best (more measured spectra never have to
    do worse: one could ignore some), interpolated linearly between training
    sizes. An error above the curve's at the smallest size, or below its
    best, has no equivalent on it.
    """
    curves = {}  # per (family baseline, target): training sizes and running-best errors
    for baseline in table.index.unique("strategy").intersection([BASELINE, MEAN, PLS + BASELINE]):
        for target in table.index.unique("target"):
            curve = table.xs((baseline, target), level=("strategy", "target"))["test_mae"]
            sizes = np.array([n_train[f] for f in curve.index], dtype=np.float64)
            curves[baseline, target] = sizes, np.minimum.accumulate(curve.to_numpy())
    equivalent = np.full(len(table), np.nan)
    for position, ((name, _, target), error) in enumerate(table["test_mae"].items()):
        sizes, errors = curves[_family_baseline(name), target]
        if error == errors[0]:
            equivalent[position] = sizes[0]
            continue
        for k in range(len(sizes) - 1):
            if errors[k + 1] <= error < errors[k]:
                t = (errors[k] - error) / (errors[k] - errors[k + 1])
                equivalent[position] = sizes[k] + t * (sizes[k + 1] - sizes[k])
                break
    return equivalent


def _family_baseline(name):
    """The E row of a row's model family: the curve its equivalent sizes are read off."""
    return MEAN if name == MEAN else _baseline_of(name)


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "fractions": ["array-like"],
        "strategies": [dict, list, None],
        "regressor": "no_validation",
        "n_splits": [Interval(Integral, 1, None, closed="left")],
        "train_size": [Interval(Real, 0, 1, closed="neither")],
        "test_size": [Interval(Real, 0, 1, closed="neither")],
        "target_names": [list, None],
        "context": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def augmentation_learning_curve(
    X: ArrayLike,
    y: ArrayLike,
    *,
    fractions: Sequence[float] = (0.1, 0.25, 0.5, 1.0),
    strategies: dict[str, Any] | None = None,
    regressor: EstimatorLike | None = None,
    n_splits: int = 8,
    train_size: float = 0.7,
    test_size: float = 0.1,
    target_names: Sequence[str] | None = None,
    context: bool = True,
    random_state: RandomStateLike = None,
    verbose: int = 0,
) -> Bunch:
    """Test MAE against the number of measured training spectra, with and without augmentation.

    The question a chemometrician asks of augmentation: how many measured
    spectra does it save? In each of ``n_splits`` random train / test splits
    (as in :func:`compare_augmentation`), the training part is shuffled and
    nested subsets of it are kept (``fractions`` of it: 10 % of the spectra
    are among the 25 %, and so on); every strategy (and, with ``context``,
    the mean predictor and PLS) is trained on each subset and scored on the
    same test part. ``equivalent_n_E`` reads, off the E curve of the row's
    own model family (the networks', PLS's or the mean's), how many measured
    spectra that model needs without augmentation to reach the row's error:
    a strategy at 25 % whose ``equivalent_n_E`` is the size of the 50 %
    subset saves half the measurements.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels)
        Spectra.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Targets.
    fractions : array-like of float, default=(0.1, 0.25, 0.5, 1.0)
        Shares of the training part to train on, each in (0, 1]; the
        smallest must keep at least 5 spectra.
    strategies : dict, list of str or None, default=None
        ``{name: augmenter or None}`` with ``"E": None``, or names from
        :func:`paper_augmentation_strategies` (the paper's VAE); None takes
        them all.
    regressor : regressor, default=None
        The model every strategy trains; None means
        :func:`~sklspec.augmentation.reference_regressor`.
    n_splits : int, default=8
        Random splits.
    train_size, test_size : float, default=0.7, 0.1
        Shares of the samples in the training and test parts.
    target_names : list of str, default=None
        Names of the targets; default ``"target 0"`` etc.
    context : bool, default=True
        Also train the mean predictor (``"mean:E"``) and PLS
        (``"PLS:<strategy>"``) on each subset, as in
        :func:`compare_augmentation`.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits, the subsets and the models.
    verbose : int, default=0
        If > 0, report each split and fraction.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``table``: a DataFrame indexed by (strategy, fraction, target) with
        ``n_train`` (measured spectra), the test MAE's mean and standard
        deviation over splits, and ``equivalent_n_E``. ``scores``: one row
        per split, fraction, strategy and target. ``n_train``: measured
        spectra per fraction. ``target_names``, ``strategies``.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklspec.augmentation import VAEAugmenter
    >>> from sklspec.datasets import make_absorption_mixtures
    >>> from sklspec.papers import augmentation_learning_curve
    >>> from sklspec.vae import VAEEncoder
    >>> X, y = make_absorption_mixtures(150, return_X_y=True, random_state=0)
    >>> vae = VAEEncoder((16,), latent_dim=3, max_epochs=5, device="cpu")
    >>> result = augmentation_learning_curve(
    ...     X, y[:, 1], fractions=[0.25, 1.0], regressor=Ridge(), n_splits=2,
    ...     strategies={"E": None, "E+VAE(u)": VAEAugmenter(vae, labeler=Ridge())},
    ...     context=False, random_state=0)
    >>> result.n_train
    {0.25: 26, 1.0: 105}
    >>> result.table.loc[("E", 1.0, "target 0"), "equivalent_n_E"]
    np.float64(105.0)
    """
    pd = import_optional("pandas", "augmentation_learning_curve")
    X, Y, names = check_spectra_and_targets(X, y, target_names)
    strategies = resolve_strategies(strategies)
    rng = check_random_state(random_state)
    splitter = ShuffleSplit(
        n_splits, train_size=train_size, test_size=test_size, random_state=seed_from(rng)
    )
    n_train_all = next(splitter.split(X))[0].size  # every split's training part has this size
    fractions = _check_fractions(fractions, n_train_all)
    n_train = {float(f): max(round(f * n_train_all), 1) for f in fractions}

    rows, start = [], time.perf_counter()
    for split, (train, test) in enumerate(splitter.split(X)):
        order = rng.permutation(train)
        for fraction in fractions:
            subset = order[: n_train[float(fraction)]]
            errors, _, _, _ = _fit_and_score(
                X, Y, subset, {"test": test}, strategies, regressor, seed_from(rng), context
            )
            for name, parts in errors.items():
                rows += [
                    {
                        "split": split,
                        "fraction": float(fraction),
                        "strategy": name,
                        "target": target,
                        "n_train": len(subset),
                        "test_mae": parts["test"][j],
                    }
                    for j, target in enumerate(names)
                ]
            if verbose:
                print(
                    f"augmentation_learning_curve: split {split + 1}/{n_splits}, "
                    f"{len(subset)} measured spectra done ({time.perf_counter() - start:.0f} s)",
                    flush=True,
                )
    scores = pd.DataFrame(rows)
    grouped = scores.groupby(["strategy", "fraction", "target"], sort=False)
    table = pd.DataFrame(
        {
            "n_train": grouped["n_train"].first(),
            "test_mae": grouped["test_mae"].mean(),
            "test_mae_std": grouped["test_mae"].std(),
        }
    )
    table["equivalent_n_E"] = _equivalent_sizes(table, n_train)
    return Bunch(
        table=table,
        scores=scores,
        n_train=n_train,
        target_names=list(names),
        strategies=list(strategies),
    )
