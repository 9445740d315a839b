"""A small generator of spectra made of Gaussian peaks."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from sklspec.utils._sklearn_compat import Interval, validate_params
from sklspec.utils._typing import RandomStateLike


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "n_peaks": [Interval(Integral, 1, None, closed="left")],
        "noise": [Interval(Real, 0, np.inf, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_peak_spectra(
    n_samples: int = 200,
    n_channels: int = 300,
    *,
    n_components: int = 3,
    n_peaks: int = 5,
    noise: float = 0.01,
    random_state: RandomStateLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mixtures of pure-component spectra made of Gaussian peaks.

    Each of ``n_components`` pure components has ``n_peaks`` Gaussian peaks
    at random positions with random widths and heights. A sample is a
    non-negative mixture of the components with random amounts, plus
    Gaussian noise. The spectra therefore lie near an ``n_components``
    dimensional manifold, which makes this a quick, small test bed for
    dimensionality reduction, autoencoders and regression of the amounts.

    Parameters
    ----------
    n_samples : int, default=200
        Number of spectra.
    n_channels : int, default=300
        Number of channels of each spectrum.
    n_components : int, default=3
        Number of pure components mixed.
    n_peaks : int, default=5
        Peaks per pure component.
    noise : float, default=0.01
        Standard deviation of the additive Gaussian noise; peak heights are
        between 0.2 and 1.
    random_state : int, RandomState instance or None, default=None
        Seed for the components, the amounts and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels)
        The spectra.
    y : ndarray of shape (n_samples, n_components)
        The amount of each component in each spectrum, uniform in [0, 1].

    Examples
    --------
    >>> from sklspec.datasets import make_peak_spectra
    >>> X, y = make_peak_spectra(n_samples=10, n_channels=50, random_state=0)
    >>> X.shape, y.shape
    ((10, 50), (10, 3))
    """
    rng = check_random_state(random_state)

    channels = np.arange(n_channels)
    centers = rng.uniform(0, n_channels, size=(n_components, n_peaks, 1))
    widths = rng.uniform(0.005, 0.02, size=(n_components, n_peaks, 1)) * n_channels
    heights = rng.uniform(0.2, 1.0, size=(n_components, n_peaks, 1))
    components = (heights * np.exp(-0.5 * ((channels - centers) / widths) ** 2)).sum(axis=1)

    y = rng.uniform(0, 1, size=(n_samples, n_components))
    X = y @ components + rng.normal(scale=noise, size=(n_samples, n_channels))
    return X, y
