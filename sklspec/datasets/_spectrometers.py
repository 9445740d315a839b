"""Two LIBS spectrometers and the LTE emission templates they record.

Emission is computed with libskit (NIST line data, LTE plasma with
self-absorption over a 1 mm path, Stark broadening) on a small grid of
plasma temperatures and electron densities, once per phase and
spectrometer, then interpolated per laser shot.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sklspec.datasets._pegmatite import ELEMENT_NAMES, PHASE_NAMES, phase_mass_fractions
from sklspec.utils._optional import import_optional

# Plasma conditions of the emission grid. Time-integrated LIBS of silicates
# in air shows effective temperatures of about 7000-10000 K and electron
# densities of 1e17-1e18 cm^-3.
TEMPERATURES = np.arange(6500.0, 11501.0, 1000.0)
LOG10_DENSITIES = np.log10([5e22, 1.5e23, 4.5e23])  # electrons per m^3
REFERENCE_CONDITIONS = (8500.0, 1.5e23)  # a typical shot: K, m^-3
_PLASMA_LENGTH_M = 1e-3


@dataclass(frozen=True)
class Spectrometer:
    """Wavelength axis, resolution, throughput and noise of one spectrometer."""

    name: str
    wavelength_range: tuple
    n_pixels: int
    fwhm_range: tuple  # instrumental FWHM (nm) at the two ends of the axis
    blaze_nm: float  # efficiency curve: Gaussian in wavelength
    blaze_width_nm: float
    gain: float  # counts per unit of normalized radiance and nm
    continuum: float  # counts of plasma continuum at the blaze, typical shot
    dark: float  # detector offset (counts)
    read_noise: float  # counts

    @property
    def wavelengths(self):
        return np.linspace(*self.wavelength_range, self.n_pixels)

    def efficiency(self):
        wl = self.wavelengths
        # Grating blaze times the UV cut-off of the fibre and optics.
        blaze = np.exp(-0.5 * ((wl - self.blaze_nm) / self.blaze_width_nm) ** 2)
        return blaze / (1 + np.exp(-(wl - 250.0) / 6.0))

    def continuum_shape(self):
        # Recombination/bremsstrahlung continuum falls towards the UV and is
        # seen through the same efficiency curve.
        shape = self.efficiency() * (self.wavelengths / 300.0) ** 2
        return shape / shape.max()


PRIMARY = Spectrometer(
    name="primary",
    wavelength_range=(245.0, 407.0),
    n_pixels=4062,
    fwhm_range=(0.035, 0.046),
    blaze_nm=320.0,
    blaze_width_nm=75.0,
    gain=1.0e5,
    continuum=500.0,
    dark=400.0,
    read_noise=6.0,
)
SECONDARY = Spectrometer(
    name="secondary",
    wavelength_range=(260.0, 370.0),
    n_pixels=3872,
    fwhm_range=(0.023, 0.032),
    blaze_nm=300.0,
    blaze_width_nm=45.0,
    gain=7.0e4,
    continuum=300.0,
    dark=250.0,
    read_noise=4.0,
)


def import_libskit():
    """libskit, or an ImportError naming the extra that installs it."""
    return import_optional("libskit", "make_libs_transfer (LTE plasma emission)")


def _libskit_instrument(spectrometer):
    # Instrumental FWHM linear in wavelength, as libskit's SlopingSpectrometer.
    wl_lo, wl_hi = spectrometer.wavelength_range
    fwhm_lo, fwhm_hi = spectrometer.fwhm_range
    slope = (fwhm_hi - fwhm_lo) / (wl_hi - wl_lo)
    return import_libskit().SlopingSpectrometer(slope, fwhm_lo - slope * wl_lo)


@lru_cache(maxsize=4)
def emission_templates(spectrometer):
    """Recorded line emission of each phase on the plasma grid.

    Returns
    -------
    templates : ndarray of shape (n_phases, n_temperatures, n_densities, n_pixels)
        Counts for an ablated amount of 1, float32.
    """
    libskit = import_libskit()
    instrument = _libskit_instrument(spectrometer)
    wavelengths = spectrometer.wavelengths
    # Counts scale with the pixel width: libskit gives radiance per nm.
    response = spectrometer.efficiency() * np.gradient(wavelengths) * spectrometer.gain

    fractions = phase_mass_fractions()
    templates = np.empty(
        (len(PHASE_NAMES), len(TEMPERATURES), len(LOG10_DENSITIES), spectrometer.n_pixels)
    )
    for p in range(len(PHASE_NAMES)):
        composition = {
            element: float(f)
            for element, f in zip(ELEMENT_NAMES, fractions[p], strict=True)
            if f > 0
        }
        for t, temperature in enumerate(TEMPERATURES):
            for d, log_density in enumerate(LOG10_DENSITIES):
                model = libskit.LTEModel(
                    composition, float(temperature), float(10**log_density), _PLASMA_LENGTH_M
                )
                radiance = instrument.calculate_spectrum(wavelengths, model).ravel()
                templates[p, t, d] = np.clip(radiance, 0, None)
    # One normalization for every phase and both spectrometers (same plasma):
    # the brightest radiance of albite in a typical shot is 1 per nm.
    templates *= response / _reference_radiance()
    return templates.astype(np.float32)


@lru_cache(maxsize=1)
def _reference_radiance():
    libskit = import_libskit()
    fractions = phase_mass_fractions()[PHASE_NAMES.index("albite")]
    composition = {e: float(f) for e, f in zip(ELEMENT_NAMES, fractions, strict=True) if f > 0}
    model = libskit.LTEModel(composition, *REFERENCE_CONDITIONS, _PLASMA_LENGTH_M)
    radiance = _libskit_instrument(PRIMARY).calculate_spectrum(PRIMARY.wavelengths, model)
    return float(radiance.max())


def interpolation_weights(values, grid):
    """Linear interpolation weights of ``values`` on ``grid``, shape (n, n_grid)."""
    values = np.clip(values, grid[0], grid[-1])
    upper = np.clip(np.searchsorted(grid, values, side="right"), 1, len(grid) - 1)
    lower = upper - 1
    t = (values - grid[lower]) / (grid[upper] - grid[lower])
    weights = np.zeros((len(values), len(grid)))
    rows = np.arange(len(values))
    weights[rows, lower] = 1 - t
    weights[rows, upper] += t
    return weights


@dataclass(frozen=True)
class Recorder:
    """What one spectrometer adds to the plasma emission, prepared once per map."""

    spectrometer: Spectrometer
    templates: np.ndarray  # (n_templates, n_pixels) counts per unit weight
    continuum: np.ndarray  # (n_pixels,) continuum counts per unit level
    dark: np.ndarray  # (n_pixels,) detector offset, raised and tilted on the "other day"
    nonlinearity: float = 0.0  # relative loss of response at full scale
    full_scale: float | None = None  # the ADC's largest count; None: no clipping

    @classmethod
    def for_spectrometer(
        cls, spectrometer, templates, baseline_shift, nonlinearity=0.0, full_scale=None
    ):
        wl = spectrometer.wavelengths
        tilt = 1 + 0.3 * baseline_shift * (wl - wl.mean()) / np.ptp(wl)
        return cls(
            spectrometer=spectrometer,
            templates=templates.reshape(-1, spectrometer.n_pixels),
            continuum=(spectrometer.continuum * spectrometer.continuum_shape()).astype(np.float32),
            dark=(spectrometer.dark * (1 + baseline_shift) * tilt).astype(np.float32),
            nonlinearity=nonlinearity,
            full_scale=full_scale,
        )

    def record(self, weights, continuum_level, noise, rng, out, scratch, gain=None):
        """Write what the spectrometer records for a block of shots into ``out`` (counts).

        ``gain`` (one factor per shot) scales the light the view collects
        (its drift). Works in place on ``out`` and two preallocated scratch
        blocks: fresh arrays of this size would cost more in page faults
        than the arithmetic.
        """
        np.matmul(weights, self.templates, out=out)
        out += np.multiply.outer(continuum_level, self.continuum, out=scratch[0])
        if gain is not None:
            out *= gain[:, None]
        if noise > 0:
            # Photon shot noise (variance = counts) and read noise, one Gaussian draw.
            sigma = np.add(out, np.float32(self.spectrometer.read_noise**2), out=scratch[0])
            np.sqrt(sigma, out=sigma)
            sigma *= np.float32(noise)
            sigma *= rng.standard_normal(out=scratch[1], dtype=np.float32)
            out += sigma
        out += self.dark
        self._respond(out, scratch[0])

    def _respond(self, out, scratch):
        """The detector's compressive response and the ADC's range, in place on counts."""
        if self.full_scale is None:
            return
        if self.nonlinearity:
            # Response falls linearly with the signal: by `nonlinearity` at full scale.
            np.multiply(out, np.float32(self.nonlinearity / self.full_scale), out=scratch)
            np.subtract(np.float32(1.0), scratch, out=scratch)
            out *= scratch
        np.clip(out, 0.0, np.float32(self.full_scale), out=out)
