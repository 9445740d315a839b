"""Bad input to functions and helpers: one clear error that names the problem, never garbage."""

import os
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from sklspec.metrics import (
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
)
from sklspec.preprocessing import (
    BaselineSubtractor,
    WavelengthCropper,
    WavelengthResampler,
    rolling_min_gaussian_baseline,
)
from sklspec.utils._sklearn_compat import InvalidParameterError


@pytest.mark.parametrize(
    "X, error, message",
    [
        (np.array([[1.0, np.nan]]), ValueError, r"NaN or infinity \(first at row 0, channel 1"),
        (np.array([[1.0, 2.0], [np.inf, 2.0]]), ValueError, "first at row 1, channel 0"),
        (np.empty((2, 0)), ValueError, "spectra must have at least one channel; got shape"),
        (np.ones(5), ValueError, "Expected 2D array, got 1D array"),
        (np.ones((2, 3, 4)), ValueError, "Found array with dim 3"),
        (np.ones((2, 5), complex), ValueError, "Complex data not supported"),
    ],
    ids=["nan", "inf", "no-channels", "1-d", "3-d", "complex"],
)
def test_rolling_min_gaussian_baseline_refuses_bad_spectra(X, error, message):
    with pytest.raises(error, match=message):
        rolling_min_gaussian_baseline(X, min_window=3, smooth_window=2)


def test_rolling_min_gaussian_baseline_takes_lists_frames_and_ints():
    expected = rolling_min_gaussian_baseline(np.ones((2, 6)), min_window=3, smooth_window=2)
    for X in ([[1.0] * 6] * 2, pd.DataFrame(np.ones((2, 6))), np.ones((2, 6), dtype=int)):
        np.testing.assert_array_equal(
            rolling_min_gaussian_baseline(X, min_window=3, smooth_window=2), expected
        )
    with pytest.raises(InvalidParameterError, match="'workers' parameter .* Got 0 instead"):
        rolling_min_gaussian_baseline(np.ones((2, 6)), workers=0)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_cycles": 0}, r"'n_cycles' parameter of CyclicalKLAnnealing must be an int in the "
                          r"range \[1, inf\). Got 0"),
        ({"beta_max": -1}, "'beta_max' parameter of CyclicalKLAnnealing .* Got -1"),
        ({"ratio": 0}, r"'ratio' parameter of CyclicalKLAnnealing must be a float in the "
                       r"range \(0.0, 1.0\]. Got 0"),
    ],
)  # fmt: skip
def test_kl_annealing_refuses_a_schedule_it_cannot_follow(params, message):
    from skorch import NeuralNet

    from sklspec.vae import CyclicalKLAnnealing

    callback = CyclicalKLAnnealing(**params)
    with pytest.raises(InvalidParameterError, match=message):
        callback.initialize()
    # When a net initializes its callbacks, before any training.
    import torch

    net = NeuralNet(torch.nn.Linear(2, 2), torch.nn.MSELoss, callbacks=[callback])
    with pytest.raises(InvalidParameterError, match="CyclicalKLAnnealing"):
        net.initialize()


@pytest.mark.parametrize(
    "args, message",
    [
        ((5, (0,), 2, (4,), "relu"), r"Hidden layer size in \(0,\) must be an integer >= 1; got 0"),
        ((5, (-3,), 2, (4,), "relu"), "must be an integer >= 1; got -3"),
        ((5, (4,), 2, (4,), "swish"), "Unknown activation 'swish'; choose from elu, gelu"),
        ((5, (4,), 0, (4,), "relu"), "latent_dim must be an integer >= 1; got 0"),
        ((0, (4,), 2, (4,), "relu"), "The number of inputs must be an integer >= 1; got 0"),
    ],
)
def test_the_vae_module_refuses_impossible_widths(args, message):
    from sklspec.vae import VAEModule

    with pytest.raises(ValueError, match=message):
        VAEModule(*args)


def test_reliability_refuses_spectra_without_variation():
    from sklspec.transfer import TransferReliability

    pytest.importorskip("chemotools")
    with pytest.raises(ValueError, match="The training spectra are all identical"):
        TransferReliability(n_components=2).fit(np.ones((30, 10)))
    # Rank one, two components: the second's variance is rounding noise, left out of T2.
    rng = np.random.default_rng(0)
    rank_one = np.outer(rng.uniform(size=30), np.arange(10.0))
    scores = TransferReliability(n_components=2).fit(rank_one).transform(rank_one)
    assert np.all(np.isfinite(scores)) and scores.max() < 10


def test_rse_of_identical_truth_is_an_error_not_a_huge_number():
    # 0.1 is not exact in binary: the spread around the mean was 2e-32, the RSE 4.7e30.
    with pytest.raises(ValueError, match="all true spectra are identical"):
        relative_squared_error(np.full((5, 3), 0.1), np.ones((5, 3)))
    assert relative_squared_error([[0.0, 2.0], [2.0, 4.0]], [[1.0, 3.0], [1.0, 3.0]]) == 1.0


@pytest.mark.parametrize("metric", [mean_euclidean_distance, mean_cosine_distance])
@pytest.mark.parametrize(
    "weights, message",
    [
        ([1, -1, 1], "Negative values in data passed to `sample_weight`"),
        ([0, 0, 0], "(at least one non-zero|zero for every sample)"),
        ([np.nan, 1, 1], "sample_weight contains NaN"),
    ],
)
def test_distance_metrics_check_their_weights(metric, weights, message):
    X, Y = np.ones((3, 2)), np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match=message):
        metric(X, Y, sample_weight=weights)
    assert metric(X, Y, sample_weight=[1, 0, 0]) == metric(X[:1], Y[:1])
    with pytest.raises(ValueError, match="contains NaN"):
        metric(X, [[np.nan, 1], [1, 1], [1, 1]])


def test_summed_emissivity_refuses_nan():
    from sklspec.maps import summed_emissivity

    with pytest.raises(ValueError, match="Input X contains NaN"):
        summed_emissivity([[1.0, np.nan]])


def test_baseline_method_params_are_checked_by_name():
    pytest.importorskip("pybaselines")
    X = np.random.default_rng(0).uniform(size=(4, 50))
    # snip takes **kwargs: the key was silently ignored.
    with pytest.raises(ValueError, match=r"method_params \['bogus'\] are not parameters of "
                       r"pybaselines' 'snip'; it takes max_half_window"):  # fmt: skip
        BaselineSubtractor(method="snip", method_params={"bogus": 1}).fit(X)
    BaselineSubtractor(method="snip", method_params={"max_half_window": 5}).fit(X)


def test_wavelength_transformers_refuse_empty_grids_and_text():
    X = np.random.default_rng(0).uniform(size=(5, 10))
    with pytest.raises(ValueError, match="target_wavelengths must hold at least one wavelength"):
        WavelengthResampler([]).fit(X)
    frame = pd.DataFrame(X)
    frame[3] = "a"
    with pytest.raises(ValueError, match="could not convert string to float: 'a'"):
        WavelengthCropper(0, 5).fit(frame)


def test_targets_too_large_for_float32_are_named_as_targets():
    from sklspec.transfer import SpectralMLPRegressor

    X = np.random.default_rng(0).uniform(size=(5, 10))
    with pytest.raises(ValueError, match="y has values too large for float32 .* rescale the "
                       "targets"):  # fmt: skip
        SpectralMLPRegressor((4,), max_epochs=1, device="cpu").fit(X, np.full((5, 3), 1e39))


def test_a_conditional_augmenter_asked_for_no_targets_says_so():
    from sklspec.augmentation import VAEAugmenter
    from sklspec.vae import VAEEncoder

    rng = np.random.default_rng(0)
    augmenter = VAEAugmenter(
        VAEEncoder((8,), 2, max_epochs=2, device="cpu"),
        conditional=True,
        labeler=Ridge(),
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(rng.uniform(size=(40, 10)), rng.uniform(size=(40, 2)))
    for empty in (np.empty((0, 2)), np.empty(0)):
        with pytest.raises(ValueError, match="y must hold at least one target vector"):
            augmenter.sample(y=empty)


def test_augmentation_warnings_point_at_the_users_line():
    from sklspec.augmentation import VAEAugmenter
    from sklspec.exceptions import CollapsedGenerationWarning
    from sklspec.vae import VAEEncoder

    rng = np.random.default_rng(0)
    augmenter = VAEAugmenter(
        VAEEncoder((8,), 2, max_epochs=1, device="cpu"), labeler=Ridge(), random_state=0
    )
    with pytest.warns(CollapsedGenerationWarning) as record:
        augmenter.fit_resample(rng.uniform(size=(40, 10)), rng.uniform(size=(40, 2)))
    assert {w.filename for w in record if w.category is CollapsedGenerationWarning} == {__file__}


def test_spectra_files_refuse_rows_out_of_range_and_changed_files():
    h5py = pytest.importorskip("h5py")
    from sklspec.datasets import SpectraFile

    path = os.path.join(tempfile.mkdtemp(), "map.h5")
    with h5py.File(path, "w") as handle:
        handle["spectra"] = np.arange(12.0).reshape(4, 3)
    spectra = SpectraFile(path)
    for rows, message in [
        ([0, 7], "Row 7 is out of range for 4 spectra"),
        ([-5], "Row -5 is out of range"),
        (np.array([True, False]), r"one value per spectrum \(4\); got shape \(2,\)"),
        ([0.5], "integer positions; got float64"),
    ]:
        with pytest.raises(IndexError, match=message):
            spectra[rows]
    np.testing.assert_array_equal(spectra[[3, -1]], [[9, 10, 11], [9, 10, 11]])
    spectra.close()
    with h5py.File(path, "w") as handle:
        handle["spectra"] = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match=r"changed since it was opened: it now holds \(5, 2\)"):
        spectra[[0]]
