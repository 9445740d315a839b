"""The transfer paper's models with its settings, and the grids it searched."""

from sklearn.cross_decomposition import PLSRegression
from sklearn.neighbors import KNeighborsRegressor

from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import PRESETS, VAEEncoder

# How reports and figures name the paper's models; other names are shown as given.
MODEL_LABELS = {
    "vae_mlp": "VAE + MLP",
    "vae_mlp_ft": "VAE + MLP, fine-tuned",
    "one_step": "one-step MLP",
    "knn": "KNN",
    "pls": "PLS",
    "ds": "DS",
    "pds": "PDS",
}


def model_label(name):
    """A model's name as a user reads it (``"vae_mlp"`` -> ``"VAE + MLP"``)."""
    return MODEL_LABELS.get(name, name)


def paper_transfer_models(*, random_state=None, device="auto", max_epochs=None):
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
    vae_params = {**PRESETS["vrabel2023"], "random_state": random_state, "device": device}
    mlp_params = dict(lr=1e-4, alpha=1e-6, batch_size=128, max_epochs=100, early_stopping=True)
    if max_epochs is not None:
        vae_params["max_epochs"] = max_epochs
        mlp_params["max_epochs"] = max_epochs
    vae = VAEEncoder(**vae_params)
    mapping = (128, 512)
    decoder = tuple(vae_params["hidden_layer_sizes"][::-1])
    one_step_layers = (*mapping, vae_params["latent_dim"], *decoder)
    return {
        "vae_mlp": (
            LatentTransferRegressor(
                vae,
                SpectralMLPRegressor(mapping, device=device, **mlp_params),
                random_state=random_state,
            ),
            {"mapper__hidden_layer_sizes": [(128, 512), (512, 512)], "mapper__lr": [1e-3, 1e-4]},
        ),
        "one_step": (
            SpectralMLPRegressor(
                one_step_layers, device=device, random_state=random_state, **mlp_params
            ),
            {"lr": [1e-3, 1e-4]},
        ),
        "knn": (KNeighborsRegressor(n_neighbors=10), {"n_neighbors": [2, 3, 4, 5, 10, 15, 20]}),
        "pls": (
            PLSRegression(n_components=16, scale=False),
            {"n_components": [2, 3, 4, 8, 16, 32, 64]},
        ),
    }
