"""Simulated LIBS maps of a pegmatite recorded by two spectrometers at once."""

import os
import time
from dataclasses import dataclass

import numpy as np
from sklearn.utils import Bunch, check_random_state

from sklspec.datasets._pegmatite import (
    ELEMENT_NAMES,
    PHASE_NAMES,
    phase_fractions,
    phase_map,
    phase_mass_fractions,
)
from sklspec.datasets._spectrometers import (
    LOG10_DENSITIES,
    PRIMARY,
    REFERENCE_CONDITIONS,
    SECONDARY,
    TEMPERATURES,
    Spectrometer,
    _import_libskit,
    emission_templates,
    interpolation_weights,
)
from sklspec.maps import RASTER_ORDERS, raster_coordinates
from sklspec.maps._raster import _check_map_shape
from sklspec.utils.validation import format_wavelengths

#: The transfer paper's map sizes (rows, columns) per region.
PAPER_MAP_SHAPES = {"train": (560, 560), "validation": (266, 500), "test": (500, 500)}
_REGIONS = tuple(PAPER_MAP_SHAPES)
# Regions are far-apart windows of the same (infinite, procedural) rock.
_REGION_ORIGINS = {"train": (0.0, 0.0), "validation": (0.0, 1e5), "test": (0.0, 2e5)}
_DEFAULT_BASELINE_SHIFT = {"train": 0.0, "validation": 0.0, "test": 0.5}
# Shots are simulated in blocks of this many; noise streams are seeded per
# block, so results do not depend on memory or on where they are written.
_BLOCK = 4096
# Ablation efficiency per phase (soft micas ablate more than quartz).
_ABLATION = np.array([0.8, 1.0, 1.25, 0.9, 0.85, 1.1])


def make_libs_transfer(
    map_shape=(64, 64),
    *,
    region="train",
    raster_order="snake_row",
    grain_size=24.0,
    boundary_width=0.7,
    contamination=0.1,
    baseline_shift=None,
    noise=1.0,
    out=None,
    as_frame=False,
    verbose=False,
    random_state=None,
):
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
    - **Spectrometers.** Primary: 245-407 nm, 4062 pixels, instrumental
      FWHM rising linearly from 0.035 to 0.046 nm. Secondary: 260-370 nm,
      3872 pixels, FWHM 0.023-0.032 nm. Each has its own efficiency curve
      (grating blaze, UV cut-off), gain, plasma continuum and dark offset,
      photon shot noise and read noise.
    - **Regions.** ``"train"``, ``"validation"`` and ``"test"`` maps are
      separate areas of the same sample (for the same integer
      ``random_state``). The test map is measured "on another day": its
      baseline (dark offset and continuum) is shifted, as in the paper's
      Fig. 5.

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
            Plasma conditions of each shot (K, m^-3, relative).
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
    n_rows, n_cols, region = _check_arguments(
        map_shape, region, raster_order, grain_size, boundary_width, contamination, noise
    )
    if baseline_shift is None:
        baseline_shift = _DEFAULT_BASELINE_SHIFT[region]
    if not np.isfinite(baseline_shift) or baseline_shift <= -1:
        raise ValueError(f"baseline_shift must be a finite number > -1; got {baseline_shift!r}.")
    if as_frame and out is not None:
        raise ValueError("as_frame=True needs the spectra in memory; it cannot be used with out.")
    _import_libskit()  # fail early, with the install hint, before any work
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    templates = [emission_templates(PRIMARY), emission_templates(SECONDARY)]

    phases = phase_map((n_rows, n_cols), _REGION_ORIGINS[region], grain_size, seed)
    fractions_image = phase_fractions(phases, boundary_width)
    rows, cols = raster_coordinates((n_rows, n_cols), raster_order)
    shots = _shot_conditions(fractions_image[rows, cols], contamination, seed, region)

    n_shots = n_rows * n_cols
    recorders = [
        _Recorder.for_spectrometer(spectrometer, block_templates, baseline_shift)
        for spectrometer, block_templates in zip((PRIMARY, SECONDARY), templates, strict=True)
    ]
    # Continuum grows with the electron density squared (free-free and
    # free-bound emission) and the ablated amount.
    density = shots["electron_density"] / REFERENCE_CONDITIONS[1]
    continuum_level = ((1 + baseline_shift) * density**2 * shots["ablated_amount"]).astype(
        np.float32
    )
    sink = _SpectraSink(out, n_shots)
    # Flat scratch buffers, viewed C-contiguous at each spectrometer's width.
    scratch = [np.empty(min(_BLOCK, n_shots) * PRIMARY.n_pixels, np.float32) for _ in range(2)]
    start = time.perf_counter()
    n_blocks = -(-n_shots // _BLOCK)
    for block in range(n_blocks):
        part = slice(block * _BLOCK, min((block + 1) * _BLOCK, n_shots))
        weights = _emission_weights(shots, part)
        for k, recorder in enumerate(recorders):
            rng = np.random.default_rng([seed, _REGIONS.index(region), block, k])
            shape = (part.stop - part.start, recorder.spectrometer.n_pixels)
            buffers = [b[: shape[0] * shape[1]].reshape(shape) for b in scratch]
            target = sink.block(k, part)
            recorder.record(weights, continuum_level[part], noise, rng, out=target, scratch=buffers)
            sink.commit(k, target)
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
        region=region,
        DESCR=make_libs_transfer.__doc__,
    )
    if as_frame:
        _to_frames(data)
    return data


def _check_arguments(
    map_shape, region, raster_order, grain_size, boundary_width, contamination, noise
):
    if region not in _REGIONS:
        raise ValueError(f"region must be one of {_REGIONS}; got {region!r}.")
    if isinstance(map_shape, str):
        if map_shape != "paper":
            raise ValueError(
                f"map_shape must be (n_rows, n_columns) or 'paper'; got {map_shape!r}."
            )
        map_shape = PAPER_MAP_SHAPES[region]
    n_rows, n_cols = _check_map_shape(map_shape)
    if raster_order not in RASTER_ORDERS:
        raise ValueError(f"raster_order must be one of {RASTER_ORDERS}; got {raster_order!r}.")
    checks = {
        "grain_size": (grain_size, lambda v: v >= 2, ">= 2 pixels"),
        "boundary_width": (boundary_width, lambda v: v >= 0, ">= 0"),
        "contamination": (contamination, lambda v: 0 <= v < 1, "in [0, 1)"),
        "noise": (noise, lambda v: v >= 0, ">= 0"),
    }
    for name, (value, ok, rule) in checks.items():
        if (
            not isinstance(value, (int, float, np.number))
            or not np.isfinite(value)
            or not ok(value)
        ):
            raise ValueError(f"{name} must be a finite number {rule}; got {value!r}.")
    return n_rows, n_cols, region


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


def _emission_weights(shots, part):
    """Weights of the (phase, temperature, density) templates for some shots."""
    w_t = interpolation_weights(shots["temperature"][part], TEMPERATURES)
    w_d = interpolation_weights(np.log10(shots["electron_density"][part]), LOG10_DENSITIES)
    weights = (
        shots["phase_fractions"][part][:, :, None, None]
        * w_t[:, None, :, None]
        * w_d[:, None, None, :]
    )
    weights *= shots["ablated_amount"][part][:, None, None, None]
    return weights.reshape(len(weights), -1).astype(np.float32)


@dataclass(frozen=True)
class _Recorder:
    """What one spectrometer adds to the plasma emission, prepared once per map."""

    spectrometer: Spectrometer
    templates: np.ndarray  # (n_templates, n_pixels) counts per unit weight
    continuum: np.ndarray  # (n_pixels,) continuum counts per unit level
    dark: np.ndarray  # (n_pixels,) detector offset, raised and tilted on the "other day"

    @classmethod
    def for_spectrometer(cls, spectrometer, templates, baseline_shift):
        wl = spectrometer.wavelengths
        tilt = 1 + 0.3 * baseline_shift * (wl - wl.mean()) / np.ptp(wl)
        return cls(
            spectrometer=spectrometer,
            templates=templates.reshape(-1, spectrometer.n_pixels),
            continuum=(spectrometer.continuum * spectrometer.continuum_shape()).astype(np.float32),
            dark=(spectrometer.dark * (1 + baseline_shift) * tilt).astype(np.float32),
        )

    def record(self, weights, continuum_level, noise, rng, out, scratch):
        """Write what the spectrometer records for a block of shots into ``out`` (counts).

        Works in place on ``out`` and two preallocated scratch blocks: fresh
        arrays of this size would cost more in page faults than the arithmetic.
        """
        np.matmul(weights, self.templates, out=out)
        out += np.multiply.outer(continuum_level, self.continuum, out=scratch[0])
        if noise > 0:
            # Photon shot noise (variance = counts) and read noise, one Gaussian draw.
            sigma = np.add(out, np.float32(self.spectrometer.read_noise**2), out=scratch[0])
            np.sqrt(sigma, out=sigma)
            sigma *= np.float32(noise)
            sigma *= rng.standard_normal(out=scratch[1], dtype=np.float32)
            out += sigma
        out += self.dark


class _SpectraSink:
    """Where simulated blocks go: arrays in memory, or .npy files on disk.

    On disk, blocks are appended to the files with plain writes, so memory
    holds one block whatever the map size (writing through a memory map
    would keep every written page resident until the kernel flushes it).
    """

    _NAMES = ("primary", "secondary")

    def __init__(self, out, n_shots):
        self.out = out
        self.shapes = [(n_shots, PRIMARY.n_pixels), (n_shots, SECONDARY.n_pixels)]
        if out is None:
            self.arrays = [np.empty(shape, dtype=np.float32) for shape in self.shapes]
            return
        os.makedirs(out, exist_ok=True)
        self.staging = np.empty(min(_BLOCK, n_shots) * PRIMARY.n_pixels, dtype=np.float32)
        self.files = []
        for name, shape in zip(self._NAMES, self.shapes, strict=True):
            handle = open(self._path(name), "wb")  # closed in close()
            header = {"descr": "<f4", "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_1_0(handle, header)
            self.files.append(handle)

    def _path(self, name):
        return os.path.join(self.out, f"X_{name}.npy")

    def block(self, k, part):
        if self.out is None:
            return self.arrays[k][part]
        n = part.stop - part.start
        width = self.shapes[k][1]
        return self.staging[: n * width].reshape(n, width)

    def commit(self, k, block):
        if self.out is not None:
            block.tofile(self.files[k])

    def close(self):
        if self.out is None:
            return self.arrays
        for handle in self.files:
            handle.close()
        return [np.load(self._path(name), mmap_mode="r") for name in self._NAMES]


def _report(done, total, start):
    print(
        f"make_libs_transfer: {done:,}/{total:,} shots ({100 * done / total:.0f}%), "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )


def _to_frames(data):
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("as_frame=True needs pandas: pip install 'sklspec[pandas]'") from exc
    data.X_primary = pd.DataFrame(
        data.X_primary, columns=format_wavelengths(data.wavelengths_primary)
    )
    data.X_secondary = pd.DataFrame(
        data.X_secondary, columns=format_wavelengths(data.wavelengths_secondary)
    )
    data.composition = pd.DataFrame(data.composition, columns=data.element_names)
