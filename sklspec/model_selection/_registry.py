"""The registry of transfer candidates: every method the comparisons know, defined once.

Each :class:`TransferCandidate` names a method, says how a user reads it,
what its fit needs (one wavelength grid on both instruments, analyte
values, an optional package) and builds its estimator and search grid for
a preset: ``"lab"`` (``sklspec fit-transfer``), ``"paper"`` (the transfer
paper's settings, the demo) or ``"few_standards"`` (the learning curves on
a handful of pairs).
"""

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
from typing import Any

from sklspec.utils._typing import EstimatorLike, RandomStateLike

#: What a candidate can need beyond paired spectra.
NEEDS = {
    "same_grid": "both instruments' spectra on one wavelength grid",
    "targets": "the analyte values of the pairs",
}


@dataclass(frozen=True)
class TransferCandidate:
    """One transfer method of the registry: its name, label, needs, and how it is built.

    Parameters
    ----------
    name : str
        The key (``"pls"``), as ``sklspec fit-transfer --models`` takes it.
    label : str
        How tables and figures name it (``"PLS"``).
    summary : str
        One line on what it does.
    kind : {"library", "network", "linear", "neighbours", "calibration", \
            "robust_calibration"}
        What kind of model it is: ``"library"`` maps into a fitted primary
        library (it scales the primary spectra itself), ``"linear"`` is a
        linear map of the spectra. The last two transfer the primary
        calibration instead of the spectra (they predict analyte values, are
        scored by the RMSEP alone and need the analyte values):
        ``"calibration"`` corrects the fitted calibration on the standards
        (``fit(X_secondary, y)``), ``"robust_calibration"`` refits it on the
        primary calibration set, blind to what the standards show differs
        (``fit(X, y, X_primary=..., X_secondary=...)``).
    needs : frozenset of str
        Keys of :data:`NEEDS`: what its fit needs beyond paired spectra.
    package : str or None
        An optional package it needs (``"chemotools"``); see ``extra``.
    extra : str or None
        The extra of ``pip install 'sklspec[extra]'`` that installs ``package``.
    presets : tuple of str
        The presets it belongs to, in :data:`PRESETS`.
    calibration_params : callable or None
        For the calibration kinds: ``calibration_params(calibration)``, the
        parameters that give the estimator the comparison's fitted primary
        calibration (of each fold).

    Examples
    --------
    >>> from sklspec.model_selection import TRANSFER_CANDIDATES
    >>> pds = TRANSFER_CANDIDATES["pds"]
    >>> pds.label, sorted(pds.needs), pds.extra
    ('PDS', ['same_grid'], 'transfer')
    """

    name: str
    label: str
    summary: str
    kind: str
    build: object = field(repr=False, compare=False)
    needs: frozenset = frozenset()
    package: str | None = None
    extra: str | None = None
    presets: tuple = ("lab",)
    calibration_params: object = field(default=None, repr=False, compare=False)

    @property
    def predicts_analytes(self):
        """Whether it transfers the calibration (predicts analyte values), not the spectra."""
        return self.kind in ("calibration", "robust_calibration")

    @property
    def available(self):
        """Whether its optional package, if any, is installed."""
        return self.package is None or importlib.util.find_spec(self.package) is not None


def _networks(s):
    return dict(max_epochs=s.max_epochs, random_state=s.random_state, verbose=s.verbose)


def _paper_networks(s):
    from sklspec.vae import PRESETS as VAE_PRESETS

    vae = {**VAE_PRESETS["vrabel2023"], "random_state": s.random_state, "device": s.device}
    mlp = dict(lr=1e-4, alpha=1e-6, batch_size=128, max_epochs=100, early_stopping=True)
    if s.max_epochs is not None:
        vae["max_epochs"] = mlp["max_epochs"] = s.max_epochs
    return vae, mlp


def _cut(values, largest):
    return [v for v in values if largest is None or v <= largest]


def _frozen_library(s):
    from sklearn.frozen import FrozenEstimator

    if s.library is None:
        raise ValueError(f"The {s.preset!r} preset's library models need a fitted library.")
    return FrozenEstimator(s.library)


def _lab_library(s):
    """The command's library: frozen when fitted on unpaired spectra, else fitted on the pairs."""
    if s.library is not None:
        return _frozen_library(s)
    return lab_library(
        s.n_pairs,
        s.n_primary_channels,
        decoder=s.library_decoder,
        n_components=s.library_components,
        latent_dim=s.latent_dim,
        vae_hidden=s.vae_hidden,
        lr=s.lr,
        max_epochs=s.max_epochs,
        scaling=s.scaling,
        random_state=s.random_state,
        verbose=s.verbose,
    )


def lab_library(
    n_spectra: int,
    n_channels: int,
    *,
    decoder: str = "pca",
    n_components: int = 16,
    latent_dim: int = 16,
    vae_hidden: Sequence[int] = (256,),
    lr: float = 1e-3,
    max_epochs: int = 100,
    scaling: str = "global",
    random_state: RandomStateLike = None,
    verbose: int = 0,
) -> EstimatorLike:
    """The unfitted :class:`~sklspec.transfer.LatentLibrary` of ``sklspec fit-transfer``.

    Its VAE (for the ``"vae"`` and ``"pca+vae"`` decoders) has a KL weight
    of 0.01; its principal components are cut to what ``n_spectra``
    primary spectra of ``n_channels`` (less the held-out tenth) can give.

    Parameters
    ----------
    n_spectra, n_channels : int or None
        The primary spectra it will be fitted on (None: no cut).
    decoder, n_components : see :class:`~sklspec.transfer.LatentLibrary`
    latent_dim, vae_hidden, lr, max_epochs, random_state, verbose : see
        :class:`~sklspec.vae.VAEEncoder`
    scaling : {"global", "channel", "none"}, default="global"
        The library's scaling of the primary spectra.

    Returns
    -------
    library : LatentLibrary

    Examples
    --------
    >>> from sklspec.model_selection import lab_library
    >>> lab_library(12, 700).n_components  # 10 fitted spectra: 9 components at most
    9
    """
    from sklspec.transfer import LatentLibrary
    from sklspec.vae import VAEEncoder

    if n_spectra is not None:
        n_fit = n_spectra - -(-n_spectra // 10)
        n_components = min(n_components, n_fit - 1)
    if n_channels is not None:
        n_components = min(n_components, n_channels)
    vae = VAEEncoder(
        tuple(vae_hidden),
        latent_dim,
        beta=0.01,
        lr=lr,
        max_epochs=max_epochs,
        random_state=random_state,
        verbose=verbose,
    )
    return LatentLibrary(
        vae,
        decoder=decoder,
        n_components=max(1, n_components),
        scaling=scaling,
        random_state=random_state,
    )


def _paper_library(s):
    from sklspec.transfer import LatentLibrary

    return LatentLibrary(decoder="pca", random_state=s.random_state)


def _alpha_grid(s, prefix=""):
    return {} if s.alphas is None else {f"{prefix}alpha": list(s.alphas)}


def _library_ridge(s):
    from sklearn.linear_model import RidgeCV

    from sklspec.transfer import RIDGE_ALPHAS, LatentTransferRegressor

    mapper = RidgeCV(alphas=RIDGE_ALPHAS)
    if s.preset == "few_standards":
        transfer = LatentTransferRegressor(
            _frozen_library(s), mapper, objective="latent", random_state=s.random_state
        )
        return transfer, {}
    if s.preset == "paper":
        return LatentTransferRegressor(_paper_library(s), mapper), {"vae__n_components": [16, 64]}
    return LatentTransferRegressor(_lab_library(s), mapper), {}


def _library_residual(s):
    from sklspec.transfer import LatentTransferRegressor, ResidualMLPRegressor

    if s.preset == "few_standards":
        mapper = ResidualMLPRegressor(
            hidden_layer_sizes=tuple(s.mapper_layers), random_state=s.random_state, **s.network
        )
        transfer = LatentTransferRegressor(
            _frozen_library(s), mapper, objective="latent", random_state=s.random_state
        )
        return transfer, _alpha_grid(s, "mapper__")
    if s.preset == "paper":
        epochs = {} if s.max_epochs is None else {"max_epochs": s.max_epochs}
        mapper = ResidualMLPRegressor(
            hidden_layer_sizes=(128,), random_state=s.random_state, **epochs
        )
        transfer = LatentTransferRegressor(_paper_library(s), mapper, random_state=s.random_state)
        return transfer, {"vae__n_components": [16, 64]}
    mapper = ResidualMLPRegressor(hidden_layer_sizes=(64,), lr=s.lr, **_networks(s))
    transfer = LatentTransferRegressor(_lab_library(s), mapper, random_state=s.random_state)
    return transfer, {"mapper__alpha": [1e-3, 1e-2, 1e-1]}


def _vae_mlp(s, objective="latent"):
    from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
    from sklspec.vae import VAEEncoder

    if s.preset == "few_standards":
        mapper = SpectralMLPRegressor(
            tuple(s.mapper_layers), random_state=s.random_state, **s.network
        )
        transfer = LatentTransferRegressor(
            _frozen_library(s), mapper, objective=objective, random_state=s.random_state
        )
        return transfer, _alpha_grid(s, "mapper__")
    if s.preset == "paper":
        vae, mlp = _paper_networks(s)
        mapper = SpectralMLPRegressor((128, 512), device=s.device, **mlp)
        transfer = LatentTransferRegressor(
            VAEEncoder(**vae), mapper, objective=objective, random_state=s.random_state
        )
        grid = {"mapper__hidden_layer_sizes": [(128, 512), (512, 512)], "mapper__lr": [1e-3, 1e-4]}
        return transfer, grid
    vae = VAEEncoder(
        hidden_layer_sizes=tuple(s.vae_hidden), latent_dim=s.latent_dim, lr=s.lr, **_networks(s)
    )
    transfer = LatentTransferRegressor(
        vae,
        SpectralMLPRegressor(lr=s.lr, **_networks(s)),
        objective=objective,
        random_state=s.random_state,
        verbose=s.verbose,
    )
    return transfer, {"mapper__lr": [s.lr, s.lr / 10]}


def _vae_mlp_fine_tuned(s):
    return _vae_mlp(s, objective="spectra")


def _one_step(s):
    from sklspec.transfer import SpectralMLPRegressor

    if s.preset == "few_standards":
        mlp = SpectralMLPRegressor(
            tuple(s.one_step_layers), random_state=s.random_state, **s.network
        )
        return mlp, _alpha_grid(s)
    if s.preset == "paper":
        vae, mlp = _paper_networks(s)
        decoder = tuple(vae["hidden_layer_sizes"][::-1])
        layers = (128, 512, vae["latent_dim"], *decoder)
        model = SpectralMLPRegressor(layers, device=s.device, random_state=s.random_state, **mlp)
        return model, {"lr": [1e-3, 1e-4]}
    # The paper's one-step baseline: the mapping layers, the latent width,
    # then the decoder's layers, trained end to end.
    layers = (128, s.latent_dim, *tuple(s.vae_hidden)[::-1])
    return SpectralMLPRegressor(layers, lr=s.lr, **_networks(s)), {"lr": [s.lr, s.lr / 10]}


def _pls(s):
    from sklearn.cross_decomposition import PLSRegression

    if s.preset == "paper":
        return PLSRegression(16, scale=False), {"n_components": [2, 3, 4, 8, 16, 32, 64]}
    if s.preset == "few_standards":
        grid = _cut((1, 2, 3, 4, 6, 8, 12, 16), s.n_pairs)
        return PLSRegression(scale=False), {"n_components": grid}
    largest = None if s.n_pairs is None else s.n_pairs - 1
    if s.n_channels is not None:
        largest = s.n_channels if largest is None else min(largest, s.n_channels)
    grid = _cut((1, 2, 3, 4, 8, 16, 32, 64), largest)
    return PLSRegression(scale=False), {"n_components": grid}


def _knn(s):
    from sklearn.neighbors import KNeighborsRegressor

    if s.preset == "paper":
        return KNeighborsRegressor(10), {"n_neighbors": [2, 3, 4, 5, 10, 15, 20]}
    if s.preset == "few_standards":
        return KNeighborsRegressor(), {"n_neighbors": _cut((1, 2, 3, 5, 10), s.n_pairs)}
    return KNeighborsRegressor(), {"n_neighbors": _cut((1, 2, 3, 5, 10, 20), s.n_pairs)}


def _ds(s):
    from sklspec.transfer import StandardizationRegressor

    return StandardizationRegressor(), {}


def _pds(s):
    from sklspec.transfer import StandardizationRegressor
    from sklspec.utils._optional import import_optional

    adaptation = import_optional("chemotools.adaptation", "the PDS transfer model")
    if s.preset == "few_standards":
        return StandardizationRegressor(
            adaptation.PiecewiseDirectStandardization(window_length=5)
        ), {}
    standardizer = adaptation.PiecewiseDirectStandardization(n_components=2)
    grid = _cut((3, 5, 11, 25), s.n_channels)
    return StandardizationRegressor(standardizer), {"standardizer__window_length": grid}


def _sst(s):
    from sklspec.transfer import StandardizationRegressor
    from sklspec.utils._optional import import_optional

    adaptation = import_optional("chemotools.adaptation", "the SST transfer model")
    grid = _cut((1, 2, 3, 4, 6, 8, 12, 16), s.n_pairs)
    return (
        StandardizationRegressor(adaptation.SpectralSpaceTransform(n_components=2)),
        {"standardizer__n_components": grid},
    )


def _coral(s):
    from sklspec.transfer import CORALRegressor

    return CORALRegressor(), {"alpha": [1e-3, 1e-2, 1e-1, 1.0]}


def _slope_bias(s):
    from sklspec.transfer import SlopeBiasCorrection

    return SlopeBiasCorrection(), {"fit_slope": [True, False]}


def _frozen_calibration(calibration):
    from sklearn.frozen import FrozenEstimator

    return {"calibration": FrozenEstimator(calibration)}


def _epo(s):
    from sklspec.transfer import EPORegressor

    return EPORegressor(), {"n_components": _cut((1, 2, 3, 4, 6, 8), s.n_pairs)}


def _calibration_as_regressor(calibration):
    from sklearn.base import clone

    from sklspec.base import unwrap_frozen

    # The same calibration (its settings), refitted on the orthogonalised spectra.
    return {"regressor": clone(unwrap_frozen(calibration))}


def _gct_pls(s):
    from sklspec.transfer import GCTPLSRegression

    grid = {"penalty": [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6], "alignment": ["scores", "weights"]}
    return GCTPLSRegression(), grid


def _calibration_components(calibration):
    from sklspec.base import unwrap_frozen

    # As many latent variables as the comparison's PLS calibration has.
    components = getattr(unwrap_frozen(calibration), "n_components", None)
    return {} if components is None else {"n_components": components}


# DS, PDS, SST and EPO are chemotools' transformers.
_CHEMOTOOLS = {"package": "chemotools", "extra": "transfer"}

_CANDIDATES = (
    TransferCandidate(
        "library_ridge",
        "library + ridge",
        "a latent library of the primary spectra, mapped into by ridge regression",
        "library",
        _library_ridge,
        presets=("lab", "paper", "few_standards"),
    ),
    TransferCandidate(
        "library_residual",
        "library + residual MLP",
        "the library, mapped into by ridge regression plus an MLP correction",
        "library",
        _library_residual,
        presets=("lab", "paper", "few_standards"),
    ),
    TransferCandidate(
        "vae_mlp",
        "VAE + MLP",
        "the transfer paper's model: a VAE of the primary spectra, an MLP into its latent space",
        "network",
        _vae_mlp,
        presets=("lab", "paper", "few_standards"),
    ),
    TransferCandidate(
        "vae_mlp_ft",
        "VAE + MLP, fine-tuned",
        "the VAE + MLP, its mapper fine-tuned through the frozen decoder",
        "network",
        _vae_mlp_fine_tuned,
        presets=("paper", "few_standards"),
    ),
    TransferCandidate(
        "one_step",
        "one-step MLP",
        "the paper's one-step baseline: one MLP from secondary to primary spectra",
        "network",
        _one_step,
        presets=("lab", "paper", "few_standards"),
    ),
    TransferCandidate(
        "pls",
        "PLS",
        "partial least squares regression of the primary spectra on the secondary",
        "linear",
        _pls,
        presets=("lab", "paper", "few_standards"),
    ),
    TransferCandidate(
        "knn",
        "KNN",
        "the mean primary spectrum of the nearest secondary spectra",
        "neighbours",
        _knn,
        presets=("lab", "paper", "few_standards"),
    ),
    TransferCandidate(
        "ds",
        "DS",
        "direct standardization: one linear map of the whole spectrum",
        "linear",
        _ds,
        needs=frozenset({"same_grid"}),
        **_CHEMOTOOLS,
        presets=("lab", "few_standards"),
    ),
    TransferCandidate(
        "pds",
        "PDS",
        "piecewise direct standardization: each channel from a window around it",
        "linear",
        _pds,
        needs=frozenset({"same_grid"}),
        **_CHEMOTOOLS,
        presets=("lab", "few_standards"),
    ),
    TransferCandidate(
        "sst",
        "SST",
        "spectral space transformation: the pairs' joint principal components map one "
        "instrument's spectral space onto the other's",
        "linear",
        _sst,
        needs=frozenset({"same_grid"}),
        **_CHEMOTOOLS,
        presets=("lab", "few_standards"),
    ),
    TransferCandidate(
        "coral",
        "CORAL",
        "correlation alignment: each instrument's mean and covariance, no paired standards",
        "linear",
        _coral,
        needs=frozenset({"same_grid"}),
        presets=("lab", "few_standards"),
    ),
    TransferCandidate(
        "slope_bias",
        "slope/bias",
        "the primary calibration on the secondary spectra, its predictions corrected by a "
        "line fitted on the standards (transfers the calibration, not the spectra)",
        "calibration",
        _slope_bias,
        needs=frozenset({"targets", "same_grid"}),
        presets=("lab",),
        calibration_params=_frozen_calibration,
    ),
    TransferCandidate(
        "epo",
        "EPO",
        "external parameter orthogonalisation: the calibration refitted without the "
        "directions along which the standards' two spectra differ",
        "robust_calibration",
        _epo,
        needs=frozenset({"targets", "same_grid"}),
        **_CHEMOTOOLS,
        presets=("lab",),
        calibration_params=_calibration_as_regressor,
    ),
    TransferCandidate(
        "gct_pls",
        "GCT-PLS",
        "graph-based calibration transfer: a PLS calibration whose latent variables give "
        "each standard the same scores on both instruments",
        "robust_calibration",
        _gct_pls,
        needs=frozenset({"targets", "same_grid"}),
        presets=("lab",),
        calibration_params=_calibration_components,
    ),
)

#: Every transfer candidate, by name, in the order tables list them.
TRANSFER_CANDIDATES = MappingProxyType({c.name: c for c in _CANDIDATES})

#: Each preset's default candidates.
PRESETS = MappingProxyType(
    {
        "lab": tuple(c.name for c in _CANDIDATES if "lab" in c.presets),
        "paper": ("vae_mlp", "one_step", "knn", "pls"),
        "few_standards": tuple(
            c.name for c in _CANDIDATES if "few_standards" in c.presets and not c.needs
        ),
    }
)


def calibration_candidates(names):
    """The registry candidates among ``names`` that transfer the calibration, not spectra."""
    return [
        name
        for name in names
        if name in TRANSFER_CANDIDATES and TRANSFER_CANDIDATES[name].predicts_analytes
    ]


def check_spectral_models(names, function):
    """Refuse registry candidates that transfer the calibration where spectra are scored."""
    labels = [TRANSFER_CANDIDATES[name].label for name in calibration_candidates(names)]
    if labels:
        raise ValueError(
            f"{', '.join(labels)} transfer the calibration, not the spectra, and {function} "
            "scores transferred spectra; compare them with tune_transfer_models(..., "
            "targets=...)."
        )


def model_label(name: str) -> str:
    """A model's name as a user reads it (``"vae_mlp"`` -> ``"VAE + MLP"``).

    Names outside the registry are returned as given.

    Examples
    --------
    >>> from sklspec.model_selection import model_label
    >>> model_label("vae_mlp"), model_label("my_model")
    ('VAE + MLP', 'my_model')
    """
    candidate = TRANSFER_CANDIDATES.get(name)
    return name if candidate is None else candidate.label


def transfer_candidates(
    names: Sequence[str] | None = None,
    *,
    preset: str = "lab",
    n_pairs: int | None = None,
    n_channels: int | None = None,
    n_primary_channels: int | None = None,
    library: EstimatorLike | None = None,
    library_decoder: str = "pca",
    library_components: int = 16,
    latent_dim: int = 16,
    vae_hidden: Sequence[int] = (256,),
    mapper_layers: Sequence[int] = (64,),
    one_step_layers: Sequence[int] = (64, 8, 64),
    max_epochs: int | None = None,
    lr: float = 1e-3,
    alphas: Sequence[float] = (1e-3, 1e-2, 1e-1),
    network: EstimatorLike | None = None,
    scaling: str = "global",
    device: str = "auto",
    random_state: RandomStateLike = None,
    verbose: int = 0,
) -> dict[str, tuple[Any, dict[str, list[Any]]]]:
    """Unfitted transfer candidates and their search grids, from the one registry.

    Parameters
    ----------
    names : list of str, default=None
        Candidates of :data:`TRANSFER_CANDIDATES` to build; None takes the
        preset's (:data:`PRESETS`).
    preset : {"lab", "paper", "few_standards"}, default="lab"
        Whose settings: ``"lab"``, those of ``sklspec fit-transfer`` (grids
        cut to ``n_pairs`` and ``n_channels``; the library models fit a
        library on the pairs unless ``library`` is given); ``"paper"``, the
        transfer paper's (Vrábel et al. 2023: VAE 1024-512-64 with cyclical
        KL to 0.5, MLP 128-512 at lr 1e-4, the paper's KNN and PLS grids),
        and sklspec's principal-component library with 16 or 64
        components; ``"few_standards"``, the library models on the fitted
        ``library``, every network's L2 penalty searched over ``alphas``,
        PLS and KNN grids cut to ``n_pairs``.
    n_pairs : int, default=None
        The fewest pairs a fit trains on: PLS components, neighbours (and
        the lab library's components) are cut to it.
    n_channels, n_primary_channels : int, default=None
        Channels of the secondary and primary spectra (``"lab"``).
    library : fitted LatentLibrary or VAEEncoder, default=None
        The primary library, frozen into the library models.
    library_decoder : {"pca", "vae", "pca+vae"}, default="pca"
        The decoder of the lab library fitted on the pairs
        (:func:`lab_library`) when ``library`` is None.
    library_components : int, default=16
        The lab library's principal components (cut to the data).
    latent_dim : int, default=16
        The lab VAE's latent width.
    vae_hidden : tuple of int, default=(256,)
        The lab VAE encoder's hidden layers.
    mapper_layers, one_step_layers : tuple of int
        The few-standards networks' hidden layers.
    max_epochs : int, default=None
        Epochs of every network; None: 100 for ``"lab"``, the paper's for
        ``"paper"``.
    lr : float, default=1e-3
        The lab networks' learning rate (the MLPs try it and a tenth of it).
    alphas : array-like of float or None, default=(1e-3, 1e-2, 1e-1)
        The few-standards networks' L2 penalties to search; None keeps
        ``network``'s own.
    network : dict, default=None
        Further parameters of every few-standards network.
    scaling : {"global", "channel", "none"}, default="global"
        The lab library's :class:`~sklspec.preprocessing.SpectralScaler`.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the paper's networks train.
    random_state : int or None, default=None
        Seed of the networks and libraries.
    verbose : int, default=0
        The lab networks' verbosity.

    Returns
    -------
    candidates : dict
        ``{name: (estimator, param_grid)}`` in the order of ``names``.

    Examples
    --------
    >>> from sklspec.model_selection import transfer_candidates
    >>> models = transfer_candidates(["pls", "knn"], n_pairs=8, n_channels=100)
    >>> models["pls"][1], models["knn"][1]
    ({'n_components': [1, 2, 3, 4]}, {'n_neighbors': [1, 2, 3, 5]})
    """
    if preset not in PRESETS:
        raise ValueError(f"Unknown preset {preset!r}; choose from {sorted(PRESETS)}.")
    names = list(PRESETS[preset] if names is None else names)
    unknown = [name for name in names if name not in TRANSFER_CANDIDATES]
    if unknown:
        raise ValueError(
            f"Unknown transfer candidate(s) {unknown}; choose from {list(TRANSFER_CANDIDATES)}."
        )
    if max_epochs is None and preset != "paper":
        max_epochs = 100
    settings = SimpleNamespace(
        preset=preset,
        n_pairs=n_pairs,
        n_channels=n_channels,
        n_primary_channels=n_primary_channels,
        library=library,
        library_decoder=library_decoder,
        library_components=library_components,
        latent_dim=latent_dim,
        vae_hidden=tuple(vae_hidden),
        mapper_layers=tuple(mapper_layers),
        one_step_layers=tuple(one_step_layers),
        max_epochs=max_epochs,
        lr=lr,
        alphas=None if alphas is None else list(alphas),
        network=dict(network or {}),
        scaling=scaling,
        device=device,
        random_state=random_state,
        verbose=verbose,
    )
    return {name: TRANSFER_CANDIDATES[name].build(settings) for name in dict.fromkeys(names)}
