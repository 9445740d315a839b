"""Simulated LIBS maps of a pegmatite recorded by two spectrometers at once."""

import os
import time
from numbers import Real

import numpy as np
from scipy.signal import lfilter
from sklearn.utils import Bunch

from sklspec.datasets._pegmatite import (
    ELEMENT_NAMES,
    PHASE_NAMES,
    phase_fractions,
    phase_map,
    phase_mass_fractions,
)
from sklspec.datasets._sink import BLOCK, SpectraSink
from sklspec.datasets._spectrometers import (
    LOG10_DENSITIES,
    PRIMARY,
    REFERENCE_CONDITIONS,
    SECONDARY,
    TEMPERATURES,
    Recorder,
    emission_templates,
    import_libskit,
    interpolation_weights,
)
from sklspec.maps import RASTER_ORDERS, raster_coordinates
from sklspec.utils._optional import import_optional
from sklspec.utils._seeding import seed_from
from sklspec.utils._sklearn_compat import Interval, StrOptions, validate_params
from sklspec.utils._typing import PathLike, RandomStateLike
from sklspec.utils.validation import check_map_shape, format_wavelengths

#: The transfer paper's map sizes (rows, columns) per region.
PAPER_MAP_SHAPES = {"train": (560, 560), "validation": (266, 500), "test": (500, 500)}
_REGIONS = tuple(PAPER_MAP_SHAPES)
# Regions are far-apart windows of the same (infinite, procedural) rock.
_REGION_ORIGINS = {"train": (0.0, 0.0), "validation": (0.0, 1e5), "test": (0.0, 2e5)}
_DEFAULT_BASELINE_SHIFT = {"train": 0.0, "validation": 0.0, "test": 0.5}
# Suffixes of the per-view plasma conditions in the shots' dict.
_VIEWS = ("", "_secondary")
# Correlation time of the gain drift: 10 minutes at the paper's 50 Hz.
_DRIFT_SHOTS = 30_000.0
# make_libs_transfer's settings that turn every view-specific effect off.
LINEAR_VIEWS = {
    "view_temperature_offset": 0.0,
    "view_temperature_scatter": 0.0,
    "view_density_offset": 0.0,
    "view_density_scatter": 0.0,
    "gain_drift": 0.0,
    "full_scale": None,
}
# Ablation efficiency per phase (soft micas ablate more than quartz).
_ABLATION = np.array([0.8, 1.0, 1.25, 0.9, 0.85, 1.1])


@validate_params(
    {
        "map_shape": ["array-like", StrOptions({"paper"})],
        "region": [StrOptions(set(PAPER_MAP_SHAPES))],
        "raster_order": [StrOptions(set(RASTER_ORDERS))],
        "grain_size": [Interval(Real, 2, None, closed="left")],
        "boundary_width": [Interval(Real, 0, None, closed="left")],
        "contamination": [Interval(Real, 0, 1, closed="left")],
        "baseline_shift": [Interval(Real, -1, None, closed="neither"), None],
        "noise": [Interval(Real, 0, None, closed="left")],
        "view_temperature_offset": [Interval(Real, None, None, closed="neither")],
        "view_temperature_scatter": [Interval(Real, 0, None, closed="left")],
        "view_density_offset": [Interval(Real, None, None, closed="neither")],
        "view_density_scatter": [Interval(Real, 0, None, closed="left")],
        "gain_drift": [Interval(Real, 0, 1, closed="left")],
        "full_scale": [Interval(Real, 0, None, closed="neither"), None],
        "nonlinearity": [Interval(Real, 0, 1, closed="left")],
        "return_noiseless": ["boolean"],
        "out": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_libs_transfer(
    map_shape: tuple[int, int] = (64, 64),
    *,
    region: str = "train",
    raster_order: str = "snake_row",
    grain_size: float = 24.0,
    boundary_width: float = 0.7,
    contamination: float = 0.1,
    baseline_shift: float | None = None,
    noise: float = 1.0,
    view_temperature_offset: float = -500.0,
    view_temperature_scatter: float = 200.0,
    view_density_offset: float = -0.05,
    view_density_scatter: float = 0.03,
    gain_drift: float = 0.05,
    full_scale: float = 65535.0,
    nonlinearity: float = 0.02,
    return_noiseless: bool = False,
    out: PathLike | None = None,
    as_frame: bool = False,
    verbose: int = False,
    random_state: RandomStateLike = None,
) -> Bunch:
    """LIBS map of a granitic pegmatite recorded by two spectrometers.

    A synthetic version of the transfer paper's experiment (Vrábel et al.,
    2023, section 3): every laser shot of a raster over the sample is seen
    by a primary and a secondary spectrometer simultaneously.

    - **Sample.** Grains of quartz, albite and muscovite (dominant), and
      minor Fe-Mn garnet, beryl and columbite-tantalite (Nb-Ta oxide), in
      an irregular, spatially coherent tessellation. The laser spot
      straddles grain boundaries (phase fractions smoothed over
      ``boundary_width`` pixels), and each shot carries material left by
      the previous shot in raster order (a random share up to
      ``contamination``).
    - **Plasma.** Local thermodynamic equilibrium emission with NIST
      atomic lines and self-absorption over 1 mm, computed with libskit for
      each phase on a grid of temperatures (6500-11500 K) and electron
      densities (5e22-4.5e23 m^-3), and interpolated per shot. Shot-to-shot,
      the temperature (about 8500 +- 700 K), the electron density
      (correlated with it) and the ablated amount (log-normal, depending
      on the phase's ablation efficiency) vary. Emission of a mixed pixel
      is the fraction-weighted mix of its phases' emission.
    - **Two views of one plasma.** Each spectrometer has its own collection
      fibre, which sees a slightly different part of the plume (the paper:
      "each of the fibers collected radiation from a slightly different
      part of the plasma"). The secondary view's temperature and electron
      density are the primary's plus a systematic offset
      (``view_temperature_offset``, ``view_density_offset``) and a per-shot
      scatter (``view_temperature_scatter``, ``view_density_scatter``):
      line ratios, and so the map between the two spectra, differ
      nonlinearly from shot to shot. The defaults are a fraction of the
      core-to-periphery differences that spatially resolved LIBS measures
      (Aguilera & Aragón, Spectrochim. Acta B 59 (2004) 1861: 1000-2000 K
      and about a factor of two in electron density), since both fibres
      look at the plume's centre.
    - **Spectrometers.** Primary: 245-407 nm, 4062 pixels, instrumental
      FWHM rising linearly from 0.035 to 0.046 nm. Secondary: 260-370 nm,
      3872 pixels, FWHM 0.023-0.032 nm. Each has its own efficiency curve
      (grating blaze, UV cut-off), gain, plasma continuum and dark offset,
      photon shot noise and read noise.
    - **Detectors.** Each CCD's response falls with the signal
      (``nonlinearity`` of it lost at full scale: uncorrected CCD
      spectrometers are linear to a few percent, which their vendors
      correct with a polynomial) and its 16-bit ADC clips at
      ``full_scale`` (65535 counts). At this simulator's gains the
      strongest lines of typical shots stay below a quarter of full scale.
    - **Drift.** Each view's light collection drifts slowly and on its own
      (fibre coupling, laser energy), a multiplicative gain that wanders
      with a standard deviation of ``gain_drift`` and a correlation time of
      30,000 shots (10 minutes at the paper's 50 Hz). Every map starts at
      a gain of its own, so maps of different regions (days) differ in
      intensity too.
    - **Regions.** ``"train"``, ``"validation"`` and ``"test"`` maps are
      separate areas of the same sample (for the same integer
      ``random_state``). The test map is measured "on another day": its
      baseline (dark offset and continuum) is shifted, as in the paper's
      Fig. 5.

    ``make_libs_transfer(..., **LINEAR_VIEWS)`` turns the view-specific
    effects off (no plasma offset or scatter between the views, no drift,
    ideal detectors): both spectrometers then record the same plasma
    linearly, as this simulator did before these effects, and the secondary
    spectra are a linear image of the primary ones up to noise.

    Parameters
    ----------
    map_shape : (int, int) or "paper", default=(64, 64)
        ``(n_rows, n_columns)`` of the map. ``"paper"`` takes the paper's
        size for the region: 560 x 560 (train), 266 x 500 (validation),
        500 x 500 (test); see ``PAPER_MAP_SHAPES``.
    region : {"train", "validation", "test"}, default="train"
        Which area of the sample to map.
    raster_order : {"row", "column", "snake_row", "snake_column"}, default="snake_row"
        Acquisition order of the shots; rows of the returned spectra follow
        it (see :func:`sklspec.maps.raster_coordinates`).
    grain_size : float, default=24.0
        Typical grain diameter in pixels.
    boundary_width : float, default=0.7
        Standard deviation (pixels) of the spot's reach across a grain
        boundary. 0 gives pure pixels.
    contamination : float, default=0.1
        Largest share of a shot's material coming from the previous shot.
    baseline_shift : float or None, default=None
        Relative increase of both spectrometers' continuum and dark offset.
        None means 0 for ``"train"`` and ``"validation"`` and 0.5 for
        ``"test"``.
    noise : float, default=1.0
        Scale of the shot and read noise; 0 gives noiseless spectra.
    view_temperature_offset : float, default=-500.0
        Secondary view's plasma temperature minus the primary's (K).
    view_temperature_scatter : float, default=200.0
        Per-shot standard deviation of that difference (K).
    view_density_offset : float, default=-0.05
        Secondary view's log10 electron density minus the primary's.
    view_density_scatter : float, default=0.03
        Per-shot standard deviation of that difference (decades).
    gain_drift : float, default=0.05
        Standard deviation of each view's slow, independent, log gain drift.
    full_scale : float or None, default=65535.0
        Largest count of the detectors' ADC (16 bits); counts are clipped
        to ``[0, full_scale]``. None gives ideal detectors: linear and
        unbounded (``nonlinearity`` is then ignored).
    nonlinearity : float, default=0.02
        Relative loss of the detector's response at full scale (the
        response falls linearly with the counts).
    return_noiseless : bool, default=False
        Also return the primary spectra as the primary spectrometer records
        the same shots without shot and read noise (``X_primary_noiseless``,
        and ``X_primary_noiseless.npy`` with ``out``): the best any transfer
        model can predict, since no secondary spectrum carries the primary
        detector's noise. Scores against it say how far a model is from
        that floor; ``relative_squared_error(X_primary, X_primary_noiseless)``
        is the floor itself. After a baseline subtraction, subtract each
        recorded spectrum's baseline from its noiseless twin (a baseline
        found on noiseless spectra sits higher: noise dips lower the
        recorded one's minimum). Costs a third more time.
    out : str or path-like, default=None
        Folder to write the spectra to, in chunks, as ``X_primary.npy`` and
        ``X_secondary.npy``; they are returned as read-only memory maps, so
        paper-size maps never need to fit in memory. The per-shot values
        are also saved, in ``shots.npz``.
    as_frame : bool, default=False
        Return the spectra as DataFrames with wavelength columns, and the
        composition as a DataFrame. Needs pandas; not with ``out``.
    verbose : bool, default=False
        Print progress while simulating.
    random_state : int, RandomState instance or None, default=None
        Seed for the sample and the shots. Use the same integer for the
        regions of one sample.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With the attributes:

        X_primary : ndarray of shape (n_shots, 4062), float32
            Primary spectra (counts), in acquisition order.
        X_secondary : ndarray of shape (n_shots, 3872), float32
            Secondary spectra of the same shots.
        X_primary_noiseless : ndarray of shape (n_shots, 4062), float32
            With ``return_noiseless``: the primary spectra without noise.
        wavelengths_primary, wavelengths_secondary : ndarray
            The two wavelength axes (nm).
        map_shape : tuple
            ``(n_rows, n_columns)``.
        raster_order : str
            The acquisition order, to rebuild images with
            :func:`sklspec.maps.spectra_to_map`.
        phase : ndarray of shape (n_shots,)
            Index into ``phase_names`` of the grain under each shot.
        phase_names : list of str
            ``["quartz", "albite", "muscovite", "garnet", "beryl", "columbite"]``.
        phase_fractions : ndarray of shape (n_shots, 6)
            Share of each phase in the ablated material, after boundary
            mixing and contamination.
        composition : ndarray of shape (n_shots, n_elements)
            Element mass fractions of the ablated material.
        element_names : list of str
            The elements of ``composition``, in its column order.
        temperature, electron_density, ablated_amount : ndarray of shape (n_shots,)
            Plasma conditions of each shot as the primary view sees them
            (K, m^-3, relative).
        temperature_secondary, electron_density_secondary : ndarray of shape (n_shots,)
            The same, as the secondary view sees them.
        gain_primary, gain_secondary : ndarray of shape (n_shots,)
            Each view's collection gain (its drift), per shot.
        region : str
            Which area of the sample was mapped.
        DESCR : str
            This description.

    Examples
    --------
    >>> from sklspec.datasets import make_libs_transfer
    >>> libs = make_libs_transfer((8, 10), random_state=0)  # doctest: +SKIP
    >>> libs.X_primary.shape, libs.X_secondary.shape  # doctest: +SKIP
    ((80, 4062), (80, 3872))
    """
    n_rows, n_cols = _map_shape(map_shape, region)
    if baseline_shift is None:
        baseline_shift = _DEFAULT_BASELINE_SHIFT[region]
    if as_frame and out is not None:
        raise ValueError("as_frame=True needs the spectra in memory; it cannot be used with out.")
    import_libskit()  # fail early, with the install hint, before any work
    seed = seed_from(random_state)
    templates = [emission_templates(PRIMARY), emission_templates(SECONDARY)]

    phases = phase_map((n_rows, n_cols), _REGION_ORIGINS[region], grain_size, seed)
    fractions_image = phase_fractions(phases, boundary_width)
    rows, cols = raster_coordinates((n_rows, n_cols), raster_order)
    shots = _shot_conditions(fractions_image[rows, cols], contamination, seed, region)
    shots.update(
        _secondary_view(
            shots,
            (view_temperature_offset, view_temperature_scatter),
            (view_density_offset, view_density_scatter),
            seed,
            region,
        )
    )
    n_shots = n_rows * n_cols
    gains = [
        _gain_drift(n_shots, gain_drift, [seed, _REGIONS.index(region), 2**20 + 2 + k])
        for k in range(2)
    ]

    recorders = [
        Recorder.for_spectrometer(
            spectrometer, block_templates, baseline_shift, nonlinearity, full_scale
        )
        for spectrometer, block_templates in zip((PRIMARY, SECONDARY), templates, strict=True)
    ]
    # Continuum grows with the electron density squared (free-free and
    # free-bound emission) and the ablated amount.
    continuum_levels = [
        (
            (1 + baseline_shift)
            * (shots[f"electron_density{view}"] / REFERENCE_CONDITIONS[1]) ** 2
            * shots["ablated_amount"]
        ).astype(np.float32)
        for view in _VIEWS
    ]
    sink = SpectraSink(out, n_shots, noiseless=return_noiseless)
    # Flat scratch buffers, viewed C-contiguous at each spectrometer's width.
    scratch = [np.empty(min(BLOCK, n_shots) * PRIMARY.n_pixels, np.float32) for _ in range(2)]
    start = time.perf_counter()
    n_blocks = -(-n_shots // BLOCK)
    for block in range(n_blocks):
        part = slice(block * BLOCK, min((block + 1) * BLOCK, n_shots))
        for k, recorder in enumerate(recorders):
            weights = _emission_weights(shots, part, _VIEWS[k])
            rng = np.random.default_rng([seed, _REGIONS.index(region), block, k])
            shape = (part.stop - part.start, recorder.spectrometer.n_pixels)
            buffers = [b[: shape[0] * shape[1]].reshape(shape) for b in scratch]
            target = sink.block(k, part)
            recorder.record(
                weights,
                continuum_levels[k][part],
                noise,
                rng,
                out=target,
                scratch=buffers,
                gain=gains[k][part],
            )
            sink.commit(k, target)
            if k == 0 and return_noiseless:
                noiseless = sink.block(2, part)
                recorder.record(
                    weights,
                    continuum_levels[0][part],
                    0.0,
                    rng,
                    out=noiseless,
                    scratch=buffers,
                    gain=gains[0][part],
                )
                sink.commit(2, noiseless)
        if verbose and ((block + 1) % max(1, n_blocks // 10) == 0 or block + 1 == n_blocks):
            _report(part.stop, n_shots, start)

    spectra = sink.close()
    if out is not None:
        np.savez(os.path.join(out, "shots.npz"), phase=phases[rows, cols], **shots)
    data = Bunch(
        X_primary=spectra[0],
        X_secondary=spectra[1],
        wavelengths_primary=PRIMARY.wavelengths,
        wavelengths_secondary=SECONDARY.wavelengths,
        map_shape=(n_rows, n_cols),
        raster_order=raster_order,
        phase=phases[rows, cols],
        phase_names=list(PHASE_NAMES),
        phase_fractions=shots["phase_fractions"],
        composition=shots["phase_fractions"] @ phase_mass_fractions(),
        element_names=list(ELEMENT_NAMES),
        temperature=shots["temperature"],
        electron_density=shots["electron_density"],
        ablated_amount=shots["ablated_amount"],
        temperature_secondary=shots["temperature_secondary"],
        electron_density_secondary=shots["electron_density_secondary"],
        gain_primary=gains[0],
        gain_secondary=gains[1],
        region=region,
        DESCR=make_libs_transfer.__doc__,
    )
    if return_noiseless:
        data.X_primary_noiseless = spectra[2]
    if as_frame:
        _to_frames(data)
    return data


def _map_shape(map_shape, region):
    """``(n_rows, n_columns)`` from a pair, or from "paper" for the region."""
    return check_map_shape(PAPER_MAP_SHAPES[region] if isinstance(map_shape, str) else map_shape)


def _shot_conditions(fractions, contamination, seed, region):
    """Per-shot material and plasma conditions, in acquisition order."""
    rng = np.random.default_rng([seed, _REGIONS.index(region), 2**20])
    n_shots = len(fractions)
    carried = rng.uniform(0, contamination, n_shots)
    carried[0] = 0.0
    previous = np.vstack([fractions[:1], fractions[:-1]])
    fractions = (1 - carried[:, None]) * fractions + carried[:, None] * previous

    t_typical, ne_typical = REFERENCE_CONDITIONS
    temperature = rng.normal(t_typical, 700.0, n_shots)
    log_density = (
        np.log10(ne_typical)
        + 0.25 * (temperature - t_typical) / 1000.0
        + rng.normal(0, 0.1, n_shots)
    )
    temperature = np.clip(temperature, TEMPERATURES[0], TEMPERATURES[-1])
    log_density = np.clip(log_density, LOG10_DENSITIES[0], LOG10_DENSITIES[-1])
    amount = fractions @ _ABLATION * rng.lognormal(0.0, 0.15, n_shots)
    return {
        "phase_fractions": fractions,
        "temperature": temperature,
        "electron_density": 10.0**log_density,
        "ablated_amount": amount,
    }


def _secondary_view(shots, temperature_shift, density_shift, seed, region):
    """The plasma conditions the secondary view sees: the primary's, offset and scattered."""
    # A stream of its own: the primary view's shots do not depend on these settings.
    rng = np.random.default_rng([seed, _REGIONS.index(region), 2**20 + 1])
    n_shots = len(shots["temperature"])
    (t_offset, t_scatter), (d_offset, d_scatter) = temperature_shift, density_shift
    temperature = shots["temperature"] + t_offset + t_scatter * rng.standard_normal(n_shots)
    log_density = (
        np.log10(shots["electron_density"]) + d_offset + d_scatter * rng.standard_normal(n_shots)
    )
    return {
        "temperature_secondary": np.clip(temperature, TEMPERATURES[0], TEMPERATURES[-1]),
        "electron_density_secondary": 10.0
        ** np.clip(log_density, LOG10_DENSITIES[0], LOG10_DENSITIES[-1]),
    }


def _gain_drift(n_shots, sd, seed):
    """A view's collection gain per shot: exp of an Ornstein-Uhlenbeck process.

    Stationary standard deviation ``sd`` (in log gain), correlation time
    ``_DRIFT_SHOTS``; the first shot starts from the stationary
    distribution, so each map (each day) has a gain of its own.
    """
    if sd == 0:
        return np.ones(n_shots, dtype=np.float32)
    rng = np.random.default_rng(seed)
    a = np.exp(-1.0 / _DRIFT_SHOTS)
    start = sd * rng.standard_normal()
    steps = rng.standard_normal(n_shots)
    steps[0] = 0.0
    # x[i] = a x[i-1] + sd sqrt(1 - a^2) e[i], from x[0] = start.
    log_gain, _ = lfilter([sd * np.sqrt(1 - a * a)], [1.0, -a], steps, zi=[a * start])
    log_gain[0] = start
    return np.exp(log_gain).astype(np.float32)


def _emission_weights(shots, part, view=""):
    """Weights of the (phase, temperature, density) templates for some shots, seen by a view."""
    w_t = interpolation_weights(shots[f"temperature{view}"][part], TEMPERATURES)
    w_d = interpolation_weights(np.log10(shots[f"electron_density{view}"][part]), LOG10_DENSITIES)
    weights = (
        shots["phase_fractions"][part][:, :, None, None]
        * w_t[:, None, :, None]
        * w_d[:, None, None, :]
    )
    weights *= shots["ablated_amount"][part][:, None, None, None]
    return weights.reshape(len(weights), -1).astype(np.float32)


def _report(done, total, start):
    print(
        f"make_libs_transfer: {done:,}/{total:,} shots ({100 * done / total:.0f}%), "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )


def _to_frames(data):
    pd = import_optional("pandas", "make_libs_transfer(as_frame=True)")
    data.X_primary = pd.DataFrame(
        data.X_primary, columns=format_wavelengths(data.wavelengths_primary)
    )
    data.X_secondary = pd.DataFrame(
        data.X_secondary, columns=format_wavelengths(data.wavelengths_secondary)
    )
    if "X_primary_noiseless" in data:
        data.X_primary_noiseless = pd.DataFrame(
            data.X_primary_noiseless, columns=data.X_primary.columns
        )
    data.composition = pd.DataFrame(data.composition, columns=data.element_names)
