"""Sphinx configuration for sklspec's documentation."""

import os
import sys
from importlib.metadata import version as _version

# Sphinx-Gallery resolves the names examples use by importing them; the
# halving searches exist only once this is imported.
from sklearn.experimental import enable_halving_search_cv  # noqa: F401

sys.path.insert(0, os.path.abspath(".."))

project = "sklspec"
author = "sklspec developers"
copyright = "2026, sklspec developers"
release = _version("sklspec")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.codeobj.json"]

html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False}
html_title = f"sklspec {release}"

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}

# Plots render without a display.
os.environ.setdefault("MPLBACKEND", "Agg")

# The signatures are annotated for type checkers; the pages show the numpydoc
# types instead, as scikit-learn's do (numpy's ArrayLike would expand to a
# dozen-term union in every signature).
autodoc_typehints = "none"
