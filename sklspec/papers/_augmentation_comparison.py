"""The augmentation paper's protocol: Monte-Carlo cross-validation of strategies."""

import time

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import ShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_array, check_consistent_length

from sklspec.augmentation import AugmentedRegressor, VAEAugmenter, reference_regressor
from sklspec.utils._optional import import_optional
from sklspec.utils._seeding import seed_from, seed_random_states

#: The strategy without augmentation, the reference of the paired tests.
BASELINE = "E"


def paper_augmentation_strategies(vae=None):
    """The augmentation paper's strategies plus the aggregate posterior.

    Parameters
    ----------
    vae : VAEEncoder or None, default=None
        The autoencoder every augmenter trains (None: the paper's preset).

    Returns
    -------
    strategies : dict
        ``{"E": None, "E+VAE(n)": ..., "E+VAE(u)": ..., "E+cVAE(n)": ...,
        "E+VAE(agg)": ...}``: no augmentation, then :class:`VAEAugmenter`
        sampling the normal and the uniform latent distributions, the
        conditional VAE with the normal one (the paper's Fig. 7), and
        sampling the aggregate posterior (this package's addition).

    Examples
    --------
    >>> from sklspec.papers import paper_augmentation_strategies
    >>> list(paper_augmentation_strategies())
    ['E', 'E+VAE(n)', 'E+VAE(u)', 'E+cVAE(n)', 'E+VAE(agg)']
    """
    return {
        BASELINE: None,
        "E+VAE(n)": VAEAugmenter(vae, sampling="normal"),
        "E+VAE(u)": VAEAugmenter(vae, sampling="uniform"),
        "E+cVAE(n)": VAEAugmenter(vae, sampling="normal", conditional=True),
        "E+VAE(agg)": VAEAugmenter(vae, sampling="aggregate"),
    }


def _model(regressor, augmenter, seed, reference):
    regressor = reference_regressor() if regressor is None else clone(regressor)
    seed_random_states(regressor, seed)
    if augmenter is not None:
        augmenter = clone(augmenter).set_params(random_state=seed)
        if augmenter.get_params().get("labeler", "own") is None:
            # The paper's step 1: the reference networks trained on E label
            # the generated spectra; reuse them rather than train them again.
            augmenter.set_params(labeler=FrozenEstimator(reference[-1]))
        regressor = AugmentedRegressor(regressor, augmenter)
    # The paper scales each channel to [0, 1] on the training data.
    return Pipeline([("scale", MinMaxScaler()), ("model", regressor)])


def compare_augmentation(
    X,
    y,
    *,
    strategies=None,
    regressor=None,
    n_splits=8,
    train_size=0.7,
    test_size=0.1,
    target_names=None,
    random_state=None,
    verbose=0,
):
    """Run the augmentation paper's Monte-Carlo comparison (its Fig. 7).

    ``n_splits`` random train / validation / test splits (7:2:1 by
    default, ``ShuffleSplit``). In each split, every strategy trains the
    same regressor (same seed) on the training part, augmented or not, with
    the spectra min-max scaled per channel on the training part as in the
    paper. The model trained on E is the paper's reference: augmenters
    without a ``labeler`` of their own label their spectra with it (frozen).
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
    strategies : dict, default=None
        ``{name: augmenter or None}``; must include ``"E": None``. None means
        :func:`paper_augmentation_strategies`.
    regressor : regressor, default=None
        The model every strategy trains; None means
        :func:`reference_regressor`, the paper's one MLP per target.
    n_splits : int, default=8
        Monte-Carlo splits (the paper's 8).
    train_size, test_size : float, default=0.7, 0.1
        Fractions of training and test samples; the rest validates.
    target_names : list of str, default=None
        Names of the targets for the table; default ``"target 0"`` etc.
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
        generated spectra the augmenter kept. ``target_names``.

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
    """
    from scipy.stats import ttest_rel

    pd = import_optional("pandas", "compare_augmentation")

    X = check_array(X, dtype=np.float64, input_name="X")
    y = check_array(y, dtype=np.float64, ensure_2d=False, input_name="y")
    check_consistent_length(X, y)
    Y = y.reshape(len(y), -1)
    names = [f"target {j}" for j in range(Y.shape[1])] if target_names is None else target_names
    if len(names) != Y.shape[1]:
        raise ValueError(f"target_names has {len(names)} names for {Y.shape[1]} targets.")
    strategies = paper_augmentation_strategies() if strategies is None else strategies
    if strategies.get(BASELINE, "missing") is not None:
        raise ValueError(f'strategies must include "{BASELINE}": None, the reference.')

    rng = check_random_state(random_state)
    splitter = ShuffleSplit(
        n_splits, train_size=train_size, test_size=test_size, random_state=seed_from(rng)
    )
    rows, acceptance = [], []
    start = time.perf_counter()
    for split, (train, test) in enumerate(splitter.split(X)):
        validation = np.setdiff1d(np.arange(len(X)), np.concatenate([train, test]))
        seed = seed_from(rng)
        reference = _model(regressor, None, seed, None).fit(X[train], Y[train])
        for name, augmenter in strategies.items():
            if augmenter is None:
                model = reference
            else:
                model = _model(regressor, augmenter, seed, reference).fit(X[train], Y[train])
            errors = {
                part: mean_absolute_error(
                    Y[idx], model.predict(X[idx]).reshape(len(idx), -1), multioutput="raw_values"
                )
                for part, idx in (("test", test), ("validation", validation))
                if len(idx)
            }
            for j, target in enumerate(names):
                rows.append(
                    {
                        "split": split,
                        "strategy": name,
                        "target": target,
                        "test_mae": errors["test"][j],
                        "validation_mae": errors.get("validation", np.full(len(names), np.nan))[j],
                    }
                )
            if augmenter is not None:
                rate = model[-1].augmenter_.acceptance_rate_
                acceptance.append({"split": split, "strategy": name, "acceptance_rate": rate})
        if verbose:
            elapsed = time.perf_counter() - start
            print(f"compare_augmentation: split {split + 1}/{n_splits} done ({elapsed:.0f} s)")

    scores = pd.DataFrame(rows)
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
    reference = test.loc[BASELINE]
    change, p_values = [], []
    for (name, target), row in test.iterrows():
        change.append(row.mean() / reference.loc[target].mean() - 1)
        same = name == BASELINE or n_splits < 2
        p_values.append(np.nan if same else ttest_rel(row, reference.loc[target]).pvalue)
    table["change"] = change
    table["p_value"] = p_values
    return Bunch(
        table=table,
        scores=scores,
        acceptance=pd.DataFrame(acceptance, columns=["split", "strategy", "acceptance_rate"]),
        target_names=list(names),
    )
