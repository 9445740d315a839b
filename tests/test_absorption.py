import numpy as np
import pytest

from sklspec.datasets import make_absorption_mixtures
from sklspec.datasets._absorption import (
    CHARGES,
    MAX_CONCENTRATIONS,
    N_SOLUTIONS_BY_COMPONENTS,
    _absorptivities,
)


@pytest.fixture(scope="module")
def paper_set():
    return make_absorption_mixtures(random_state=0)


def test_shapes_and_design_follow_the_paper(paper_set):
    data = paper_set
    assert data.data.shape == (3744, 911) and data.target.shape == (3744, 8)
    assert data.wavelengths[0] == 190 and data.wavelengths[-1] == 1000
    assert data.target_names == ["Zn2+", "Cu2+", "Li+", "Fe3+", "Ni2+", "NH4+", "SO4 2-", "NO3-"]
    # Table 2: solutions with 1..6 cations; Table 1: 2373 solutions per cation.
    np.testing.assert_array_equal(np.bincount(data.n_components)[1:], N_SOLUTIONS_BY_COMPONENTS)
    np.testing.assert_array_equal((data.target[:, :6] > 0).sum(axis=0), [2373] * 6)
    # Cations reach the paper's maxima; anions stay within theirs.
    np.testing.assert_allclose(data.target[:, :6].max(axis=0), MAX_CONCENTRATIONS[:6])
    assert np.all(data.target[:, 6:].max(axis=0) <= MAX_CONCENTRATIONS[6:])
    assert data.target[:, 7].max() > 4.0  # nitrate up to ~4.5-4.9 M, as in the paper
    assert np.mean(data.target[:, 6] > 0) == pytest.approx(3361 / 3744, abs=0.03)


def test_anions_balance_the_cations(paper_set):
    cation_charge = paper_set.target[:, :6] @ CHARGES
    anion_charge = 2 * paper_set.target[:, 6] + paper_set.target[:, 7]
    # Anions carry at least the cations' charge (more where nitric acid was
    # added to iron solutions), except where nitrate hit its maximum.
    capped = paper_set.target[:, 7] >= MAX_CONCENTRATIONS[7] - 1e-9
    assert np.all(anion_charge[~capped] >= cation_charge[~capped] - 1e-9)
    no_iron = paper_set.target[:, 3] == 0
    np.testing.assert_allclose(anion_charge[no_iron & ~capped], cation_charge[no_iron & ~capped])


def test_beer_lambert_on_single_ion_dilution_series(paper_set):
    # Copper alone: the d-d band at ~810 nm grows linearly with concentration.
    data = paper_set
    copper_only = (data.n_components == 1) & (data.target[:, 1] > 0)
    band = np.abs(data.wavelengths - 810) < 5
    absorbance = data.data[copper_only][:, band].mean(axis=1)
    concentration = data.target[copper_only, 1]
    slope = absorbance / concentration
    np.testing.assert_allclose(slope, slope.mean(), rtol=0.03)
    assert slope.mean() == pytest.approx(0.1 * 12.0, rel=0.05)  # l * epsilon


def test_colourless_ions_do_not_absorb_in_the_visible(paper_set):
    data = paper_set
    zinc_only = (data.n_components == 1) & (data.target[:, 0] > 0)
    assert zinc_only.sum() == 4
    visible = data.wavelengths > 420
    # Zn2+ with its sulfate and nitrate: nothing but noise in the visible.
    assert np.abs(data.data[zinc_only][:, visible]).max() < 0.02


def test_sulfate_moves_the_iron_band():
    wavelengths = np.linspace(190, 1000, 911)
    free, bound = _absorptivities(np.array([0.0, 1.0]))[:, :, 3].T
    assert wavelengths[np.argmax(free)] == pytest.approx(240, abs=1)
    assert wavelengths[np.argmax(bound)] == pytest.approx(295, abs=1)


def test_noise_grows_towards_the_uv_and_readings_saturate():
    noisy = make_absorption_mixtures(n_samples=300, noise=0.01, random_state=3)
    clean = make_absorption_mixtures(n_samples=300, noise=0.0, random_state=3)
    np.testing.assert_array_equal(noisy.target, clean.target)  # same design
    residual = noisy.data - clean.data
    unsaturated = clean.data < 1.0
    uv = (noisy.wavelengths > 240) & (noisy.wavelengths < 260)
    red = noisy.wavelengths > 800
    uv_noise = residual[:, uv][unsaturated[:, uv]].std()
    red_noise = residual[:, red][unsaturated[:, red]].std()
    assert uv_noise > 1.8 * red_noise
    assert red_noise == pytest.approx(0.01, rel=0.1)
    assert noisy.data.max() < 4.01  # stray light caps the reading near A = 4
    assert (noisy.data > 3.9).any()


def test_same_random_state_same_data():
    a = make_absorption_mixtures(n_samples=50, random_state=7, return_X_y=True)
    b = make_absorption_mixtures(n_samples=50, random_state=7, return_X_y=True)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = make_absorption_mixtures(n_samples=50, random_state=8, return_X_y=True)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_samples": 0}, ValueError, "'n_samples' parameter of make_absorption_mixtures"),
        ({"n_samples": 10.5}, TypeError, "'n_samples' parameter .* must be an int"),
        ({"noise": -1.0}, ValueError, "'noise' parameter of make_absorption_mixtures"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_absorption_mixtures(**kwargs)
