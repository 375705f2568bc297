"""The services of reports, subjects and intel are packages split by domain (issue #12 item 5).
Callers import from the package, so the package must re-export, explicitly and completely, the
public names its modules define: a function added to a module but forgotten in ``__init__``
fails here instead of in a view at run time."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

PACKAGES = ["casebook.reports.services", "casebook.subjects.services", "casebook.intel.services"]


def _modules(package):
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]


def _public_definitions(module) -> set[str]:
    """Public functions, classes and constants defined at the top of ``module`` (not imported)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_") and n != "logger"}


@pytest.mark.parametrize("name", PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_modules(name):
    package = importlib.import_module(name)
    exported = set(package.__all__)
    assert len(exported) == len(package.__all__), "a name is listed twice in __all__"
    modules = _modules(package)
    assert len(modules) >= 4, "split by domain"
    for module in modules:
        for public in _public_definitions(module):
            assert public in exported, f"{module.__name__}.{public} missing from {name}.__all__"
            assert getattr(package, public) is getattr(module, public)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_listed_name_resolves_and_nothing_is_star_imported(name):
    package = importlib.import_module(name)
    for public in package.__all__:
        assert hasattr(package, public), f"{name}.__all__ lists {public}, which is not there"
    for path in Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        stars = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
        ]
        assert not stars, f"import * in {path}"


@pytest.mark.parametrize("name", PACKAGES)
def test_no_module_is_a_god_module_again(name):
    package = importlib.import_module(name)
    for module in _modules(package):
        lines = Path(module.__file__).read_text(encoding="utf-8").count("\n")
        assert lines < 450, f"{module.__name__} has {lines} lines: split it by domain"
