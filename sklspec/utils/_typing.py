"""The type aliases of sklspec's public signatures (the package ships ``py.typed``)."""

import os
import sys
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Self

__all__ = ["ArrayLike", "EstimatorLike", "PathLike", "RandomStateLike", "Self"]

#: What ``random_state`` takes, as in scikit-learn (``check_random_state``).
RandomStateLike = int | np.random.RandomState | None

#: An estimator passed as a parameter. scikit-learn's duck typing: any object
#: with the methods the parameter's documentation names (``fit``, ``predict``...).
EstimatorLike = Any

#: A file system path.
PathLike = str | os.PathLike[str]
