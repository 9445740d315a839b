"""A procedural granitic pegmatite: mineral phases and their grains.

The sample is an infinite plane of grains, generated from hashes of the
grain cell coordinates, so that any window of it (a training map, a
validation map, a test map) can be drawn on its own and windows from the
same seed come from the same rock.
"""

import numpy as np
from scipy.ndimage import gaussian_filter

# Standard atomic weights (g/mol) of the elements in the phases below.
_ATOMIC_MASS = {
    "O": 15.999,
    "Be": 9.0122,
    "Na": 22.990,
    "Al": 26.982,
    "Si": 28.085,
    "K": 39.098,
    "Ca": 40.078,
    "Mn": 54.938,
    "Fe": 55.845,
    "Nb": 92.906,
    "Ta": 180.95,
}

# Formula units. Hydroxyl hydrogen is left out of muscovite (its oxygen is
# kept): hydrogen emits only H-alpha/beta, far outside both spectrometers.
PHASE_FORMULAS = {
    "quartz": {"Si": 1, "O": 2},
    "albite": {"Na": 0.95, "Ca": 0.05, "Al": 1.05, "Si": 2.95, "O": 8},
    "muscovite": {"K": 0.95, "Na": 0.05, "Al": 2.9, "Fe": 0.1, "Si": 3, "O": 12},
    "garnet": {"Fe": 1.5, "Mn": 1.5, "Al": 2, "Si": 3, "O": 12},
    "beryl": {"Be": 3, "Na": 0.05, "Al": 2, "Si": 6, "O": 18},
    "columbite": {"Fe": 0.5, "Mn": 0.5, "Nb": 1.4, "Ta": 0.6, "O": 6},
}
PHASE_NAMES = tuple(PHASE_FORMULAS)
ELEMENT_NAMES = tuple(_ATOMIC_MASS)

# Share of the grains of each phase: quartz, albite and muscovite dominate.
PHASE_ABUNDANCE = np.array([0.33, 0.30, 0.22, 0.06, 0.05, 0.04])
# Minor phases form smaller grains (additive Voronoi weight, in grain sizes).
_PHASE_GRAIN_WEIGHT = np.array([0.15, 0.15, 0.1, -0.15, -0.1, -0.2])


def phase_mass_fractions():
    """Element mass fractions of each phase, shape (n_phases, n_elements)."""
    table = np.zeros((len(PHASE_NAMES), len(ELEMENT_NAMES)))
    for p, formula in enumerate(PHASE_FORMULAS.values()):
        for element, count in formula.items():
            table[p, ELEMENT_NAMES.index(element)] = count * _ATOMIC_MASS[element]
    return table / table.sum(axis=1, keepdims=True)


def _hash_uniform(seed, i, j, salt):
    """Uniform [0, 1) numbers from integer coordinates (splitmix64 finalizer)."""
    with np.errstate(over="ignore"):
        x = np.asarray(i, dtype=np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        x ^= np.asarray(j, dtype=np.int64).astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        x ^= np.uint64((seed * 0x100000001B3 + salt) % 2**64)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _warp(y, x, seed, grain_size):
    """Smooth displacement of the plane, so that grain boundaries are not straight."""
    rng = np.random.default_rng([seed, 7])
    dy = np.zeros_like(y)
    dx = np.zeros_like(x)
    for _ in range(6):
        ky, kx = rng.normal(0, 1, 2) * 2 * np.pi / (grain_size * rng.uniform(1, 3))
        phase_y, phase_x = rng.uniform(0, 2 * np.pi, 2)
        dy += np.sin(ky * y + kx * x + phase_y)
        dx += np.sin(kx * y - ky * x + phase_x)
    amplitude = 0.12 * grain_size
    return y + amplitude * dy, x + amplitude * dx


def phase_map(map_shape, origin, grain_size, seed):
    """Phase index of every pixel of a window of the rock.

    Grains are cells of an additively weighted Voronoi tessellation of a
    jittered grid (one seed point per ``grain_size`` square cell), on a
    smoothly warped plane.
    """
    n_rows, n_cols = map_shape
    y, x = np.meshgrid(
        np.arange(n_rows, dtype=float) + origin[0],
        np.arange(n_cols, dtype=float) + origin[1],
        indexing="ij",
    )
    y, x = _warp(y, x, seed, grain_size)
    cell_y = np.floor(y / grain_size).astype(np.int64)
    cell_x = np.floor(x / grain_size).astype(np.int64)
    best = np.full(map_shape, np.inf)
    phase = np.zeros(map_shape, dtype=np.intp)
    cumulative = np.cumsum(PHASE_ABUNDANCE)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            ci, cj = cell_y + di, cell_x + dj
            seed_y = (ci + _hash_uniform(seed, ci, cj, 1)) * grain_size
            seed_x = (cj + _hash_uniform(seed, ci, cj, 2)) * grain_size
            cell_phase = np.searchsorted(
                cumulative, _hash_uniform(seed, ci, cj, 3) * cumulative[-1]
            )
            distance = (
                np.hypot(y - seed_y, x - seed_x) - _PHASE_GRAIN_WEIGHT[cell_phase] * grain_size
            )
            closer = distance < best
            best[closer] = distance[closer]
            phase[closer] = cell_phase[closer]
    return phase


def phase_fractions(phase, boundary_width):
    """Soft phase fractions: the laser spot straddles grain boundaries.

    Each phase's indicator image is smoothed with a Gaussian of
    ``boundary_width`` pixels (standard deviation), so pixels near a
    boundary sample both grains.
    """
    fractions = np.stack([phase == p for p in range(len(PHASE_NAMES))], axis=-1).astype(float)
    if boundary_width > 0:
        fractions = gaussian_filter(
            fractions, sigma=(boundary_width, boundary_width, 0), mode="nearest"
        )
        fractions[fractions < 1e-3] = 0.0
        fractions /= fractions.sum(axis=-1, keepdims=True)
    return fractions
