"""The package's structure: imports, layering, global state, self-contained tests."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import sklspec

ROOT = Path(sklspec.__file__).parent
# Package-wide infrastructure every subpackage may use, private names included.
SHARED = {"_neural", "utils", "base", "exceptions"}
# Private packages and the one module they serve.
OWNERS = {"_cli": "cli"}


def _modules():
    for info in pkgutil.walk_packages(sklspec.__path__, prefix="sklspec."):
        path = importlib.util.find_spec(info.name).origin
        yield info.name, Path(path), info.ispkg


def _imports(name, path, is_package):
    """(module imported, names imported) of every sklspec import, function-level ones included."""
    package = name if is_package else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{module}" if module else base
            if module.startswith("sklspec"):
                yield module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sklspec"):
                    yield alias.name, []


def _graph():
    names = {name for name, _, _ in _modules()}
    graph = {}
    for name, path, is_package in _modules():
        edges = set()
        for module, imported in _imports(name, path, is_package):
            edges.add(module)
            edges.update(f"{module}.{n}" for n in imported if f"{module}.{n}" in names)
        graph[name] = edges & names
    return graph


def test_no_import_cycle():
    graph = _graph()
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph[node]):
            # A package's __init__ importing its own modules is not a cycle
            # unless one of them imports the package back.
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # An __init__ importing its own modules, which import siblings by their
    # module path, never closes a loop through the __init__; any loop is real.
    assert cycles == [], cycles


def test_subpackages_use_only_public_names_of_each_other():
    offences = []
    for name, path, is_package in _modules():
        parts = name.split(".")
        own = parts[1] if len(parts) > 1 else None
        for module, imported in _imports(name, path, is_package):
            target = module.split(".")
            other = target[1] if len(target) > 1 else None
            if other is None or other == own or other in SHARED or OWNERS.get(other) == own:
                continue
            if len(target) > 2 or any(n.startswith("_") for n in imported):
                offences.append(f"{name} imports {module}: {imported}")
    assert offences == []


def test_library_code_does_not_change_global_state():
    for name, path, _ in _modules():
        source = path.read_text()
        assert "matplotlib.use(" not in source, name
        assert "plt.switch_backend" not in source, name


def test_estimator_packages_hold_no_paper_harness():
    import sklspec.augmentation
    import sklspec.transfer
    import sklspec.vae

    for package in (sklspec.transfer, sklspec.augmentation, sklspec.vae):
        for export in package.__all__:
            assert not export.startswith(("compare_", "plot_", "paper_", "run_")), export


def test_tests_do_not_read_outside_the_repository():
    tests = Path(__file__).parent
    for path in set(tests.glob("*.py")) - {Path(__file__)}:
        source = path.read_text()
        assert "shared/reference" not in source and '"shared"' not in source, path.name
    assert (tests / "data" / "baseline_reference.npz").exists()


def test_the_citation_file_names_this_version_and_both_papers():
    yaml = pytest.importorskip("yaml")
    root = Path(__file__).resolve().parents[1]
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == sklspec.__version__
    assert {reference["doi"] for reference in citation["references"]} == {
        "10.1039/d2ja00406b",  # Vrábel et al. 2023, the transfer paper
        "10.61011/TP.2025.05.61133.15-25",  # Mushchina et al. 2025, augmentation
    }
    assert "CITATION.cff" in (root / "MANIFEST.in").read_text()


def test_the_version_is_written_in_one_place():
    import importlib.metadata

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "sklspec.__version__"}
    assert importlib.metadata.version("sklspec") == sklspec.__version__


def _api_pages():
    """``{"sklspec.module.Name", ...}``: the pages docs/api.rst has autosummary make."""
    pages, module = set(), None
    for line in (ROOT.parent / "docs" / "api.rst").read_text().splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::")[1].strip()
        elif line.startswith("   ") and line.strip().isidentifier() and module:
            pages.add(f"{module}.{line.strip()}")
    return pages


def test_every_estimator_links_to_its_api_page():
    from sklspec.base import DOCS_URL
    from sklspec.utils import all_estimators

    pages = _api_pages()
    for name, cls in all_estimators():
        public = next(p for p in pages if p.endswith(f".{name}"))
        link = cls.__new__(cls)._get_doc_link()
        assert link == f"{DOCS_URL}generated/{public}.html", name
    # Development versions link to the latest build, releases to their own.
    version = "latest" if "dev" in sklspec.__version__ else sklspec.__version__
    assert DOCS_URL == f"https://sklspec.readthedocs.io/en/{version}/"
    from sklspec.transfer import GCTPLSRegression

    assert f'href="{DOCS_URL}generated/sklspec.transfer.GCTPLSRegression.html"' in (
        GCTPLSRegression()._repr_html_()
    )


def test_every_optional_package_has_an_install_hint(monkeypatch):
    # Each package import_optional names belongs to an extra, and a missing one says which.
    import importlib
    import re
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    from sklspec.utils._optional import _EXTRAS, import_optional, require_all

    root = Path(__file__).parents[1]
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    used = set()
    for module in (root / "sklspec").rglob("*.py"):
        used |= set(re.findall(r"import_optional\(\s*\"([a-zA-Z_0-9]+)", module.read_text()))
    assert used and used <= set(_EXTRAS)
    for package, extra in _EXTRAS.items():
        assert any(req.lower().startswith(package) for req in extras[extra]), package

    def not_installed(name, *args, **kwargs):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(importlib, "import_module", not_installed)
    with pytest.raises(ImportError, match=r"needs zarr, .* pip install 'sklspec\[zarr\]'"):
        import_optional("zarr", "Reading zarr arrays")
    with pytest.raises(ImportError, match=r"needs nothere, not installed.*pip install nothere"):
        require_all(["nothere"], "A feature")
