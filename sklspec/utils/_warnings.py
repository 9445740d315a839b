"""Warnings that point at the user's line, not at sklspec's (or scikit-learn's) own."""

import functools
import importlib.util
import os
import sys

# Frames in these packages are skipped: a warning raised during pipeline.fit
# names the user's call of pipeline.fit, not scikit-learn's or imbalanced-learn's.
_LIBRARIES = ("sklspec", "sklearn", "imblearn", "skorch", "joblib")


@functools.cache
def _library_folders():
    folders = []
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders += [os.path.join(folder, "") for folder in spec.submodule_search_locations]
    return tuple(folders)


def user_stacklevel() -> int:
    """The ``stacklevel`` of ``warnings.warn`` that names the first frame outside the libraries.

    Call it in the function that warns: ``warnings.warn(..., stacklevel=user_stacklevel())``.
    """
    folders = _library_folders()
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(folders):
        frame, level = frame.f_back, level + 1
    return level
