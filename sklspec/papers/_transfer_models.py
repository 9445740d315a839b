"""The transfer paper's models with its settings, and the few-standards candidates."""

from collections.abc import Sequence
from numbers import Integral
from typing import Any

from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from sklspec.model_selection import PRESETS, TRANSFER_CANDIDATES, transfer_candidates
from sklspec.preprocessing import SpectralScaler
from sklspec.transfer import LatentTransferRegressor
from sklspec.utils._sklearn_compat import HasMethods, Interval, validate_params
from sklspec.utils._typing import EstimatorLike, RandomStateLike


def paper_transfer_models(
    *,
    random_state: RandomStateLike = None,
    device: str = "auto",
    max_epochs: int | None = None,
) -> dict[str, tuple[Any, dict[str, list[Any]]]]:
    """The transfer paper's four models with its settings, and its search grids.

    Vrábel et al. (2023), sections 4.2-4.3 and Table 1. Plain scikit-learn
    estimators for the baselines; no new classes.

    - ``"vae_mlp"``: :class:`LatentTransferRegressor`, VAE 1024-512-64
      (cyclical KL to 0.5, 50 epochs), MLP 128-512, lr 1e-4, batch 128, 100
      epochs with early stopping. Grid: the mapping MLP's sizes and learning
      rate (``mapper__hidden_layer_sizes``, ``mapper__lr``).
    - ``"one_step"``: :class:`SpectralMLPRegressor` with the MLP's and the
      decoder's layers, 128-512-64-512-1024. Grid: learning rate.
    - ``"knn"``: ``KNeighborsRegressor(n_neighbors=10)``. Grid: the paper's
      k in 2, 3, 4, 5, 10, 15, 20.
    - ``"pls"``: ``PLSRegression(n_components=16, scale=False)``. Grid: the
      paper's 2, 3, 4, 8, 16, 32, 64 components.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seed of the neural models.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the neural models train.
    max_epochs : int, default=None
        Override the paper's epochs of the neural models (50 for the VAE,
        100 for the MLPs), e.g. for a quick run; None keeps them.

    Returns
    -------
    models : dict
        ``{name: (estimator, param_grid)}``, ready for ``GridSearchCV``.
        Grids of the neural models are kept small (the paper ran Hyperband
        over them); widen them as the budget allows.

    Examples
    --------
    >>> from sklspec.papers import paper_transfer_models
    >>> models = paper_transfer_models(random_state=0)
    >>> sorted(models)
    ['knn', 'one_step', 'pls', 'vae_mlp']
    >>> estimator, grid = models["knn"]
    >>> estimator.n_neighbors, grid
    (10, {'n_neighbors': [2, 3, 4, 5, 10, 15, 20]})
    """
    return transfer_candidates(
        PRESETS["paper"],
        preset="paper",
        random_state=random_state,
        device=device,
        max_epochs=max_epochs,
    )


@validate_params(
    {
        "library": [HasMethods(["transform", "inverse_transform"])],
        "fewest_pairs": [Interval(Integral, 2, None, closed="left")],
        "network": [dict],
        "mapper_layers": ["array-like"],
        "one_step_layers": ["array-like"],
        "alphas": ["array-like", None],
        "scaling": SpectralScaler._parameter_constraints["scaling"],
        "standardization": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def few_standards_models(
    library: EstimatorLike,
    *,
    fewest_pairs: int,
    network: bool,
    mapper_layers: Sequence[int] = (64,),
    one_step_layers: Sequence[int] = (64, 8, 64),
    alphas: Sequence[float] = (1e-3, 1e-2, 1e-1),
    scaling: str = "global",
    standardization: bool = False,
    random_state: RandomStateLike = None,
) -> dict[str, EstimatorLike]:
    """The candidates of a few-standards learning curve, each tuned on the pairs it gets.

    What :func:`transfer_learning_curve` compares (the benchmarks'
    ``corn_transfer_directions.py`` and ``libs_transfer_learning_curve.py``):

    - on the primary lab's frozen ``library`` (a fitted
      :class:`~sklspec.transfer.LatentLibrary` or VAE), only the mapping
      learning from the pairs: ``"library_ridge"`` (ridge regression into
      the latent codes, its penalty by leave-one-out), ``"library_residual"``
      (ridge plus an MLP correction, :class:`ResidualMLPRegressor`), and the
      paper's MLP mapper without and with fine-tuning through the frozen
      decoder (``"vae_mlp"``, ``"vae_mlp_ft"``);
    - ``"one_step"``: :class:`SpectralMLPRegressor`, both sides scaled;
    - ``"pls"`` (1 to 16 components) and ``"knn"`` (1 to 10 neighbours);
    - with ``standardization``, ``"ds"``, ``"pds"`` (window 5), ``"sst"``
      (components tuned) and ``"coral"`` (its ridge tuned), for instruments
      with the same channels (DS, PDS and SST need chemotools).

    Every grid (the networks' L2 penalty ``alphas``, PLS's components,
    KNN's neighbours) is searched by 5-fold cross-validation on the pairs,
    cut to what the fewest pairs' folds can fit. The secondary spectra (and
    the one-step MLP's primary spectra) are scaled by
    ``SpectralScaler(scaling)``.

    Parameters
    ----------
    library : estimator
        The fitted primary-side model, wrapped in ``FrozenEstimator`` here.
    fewest_pairs : int
        The smallest number of pairs the curve fits on.
    network : dict
        Parameters of every network (``lr``, ``batch_size``,
        ``max_epochs``, ...).
    mapper_layers, one_step_layers : tuple of int
        Hidden layers of the mapping networks and of the one-step MLP.
    alphas : array-like of float or None, default=(1e-3, 1e-2, 1e-1)
        The networks' L2 penalties (weight decay of the residual MLP) to
        choose from by cross-validation; None trains them with
        ``network``'s own.
    scaling : {"global", "channel", "none"}, default="global"
        The scaling of :class:`~sklspec.preprocessing.SpectralScaler`.
    standardization : bool, default=False
        Add DS, PDS, SST and CORAL.
    random_state : int or None, default=None
        Seed of the networks.

    Returns
    -------
    models : dict
        ``{name: unfitted estimator}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.papers import few_standards_models
    >>> from sklspec.transfer import LatentLibrary
    >>> Y = np.random.default_rng(0).normal(size=(40, 12))
    >>> library = LatentLibrary(decoder="pca", n_components=2).fit(Y)
    >>> models = few_standards_models(library, fewest_pairs=5, network={"max_epochs": 5})
    >>> sorted(models)
    ['knn', 'library_residual', 'library_ridge', 'one_step', 'pls', 'vae_mlp', 'vae_mlp_ft']
    >>> models["pls"].param_grid
    {'n_components': [1, 2, 3, 4]}
    """
    smallest_fold = fewest_pairs - -(-fewest_pairs // 5)
    same_grid = ("ds", "pds", "sst", "coral") if standardization else ()
    names = [*PRESETS["few_standards"], *same_grid]
    candidates = transfer_candidates(
        names,
        preset="few_standards",
        n_pairs=smallest_fold,
        library=library,
        mapper_layers=mapper_layers,
        one_step_layers=one_step_layers,
        alphas=alphas,
        network=network,
        random_state=random_state,
    )
    models = {}
    for name, (estimator, grid) in candidates.items():
        if isinstance(estimator, LatentTransferRegressor):
            # The library scales the primary spectra itself; the secondary side is scaled here.
            model = make_pipeline(SpectralScaler(scaling), estimator)
            prefix = "latenttransferregressor__"
        elif TRANSFER_CANDIDATES[name].kind == "network":
            model = TransformedTargetRegressor(
                make_pipeline(SpectralScaler(scaling), estimator),
                transformer=SpectralScaler(scaling),
            )
            prefix = "regressor__spectralmlpregressor__"
        else:  # linear maps and neighbours need no scaling
            model, prefix = estimator, ""
        if grid:
            grid = {f"{prefix}{key}": values for key, values in grid.items()}
            model = GridSearchCV(model, grid, cv=KFold(5))
        models[name] = model
    return models
