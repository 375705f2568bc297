"""The import contracts of `make lint` (.importlinter): layers look down only, and nothing but the
URL configuration imports a views module. The tree must keep them; a copy of the tree with one
forbidden import added must break them, so `make lint` fails on it."""

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
RUFF = Path(sys.executable).parent / "ruff"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """Run the contracts of `tree`/.importlinter on the `casebook` package found in `tree`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The Python files of the casebook package, copied (no templates, static files, catalogues)."""
    target = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "casebook",
        target / "casebook",
        ignore=lambda folder, names: [
            n
            for n in names
            if not n.endswith(".py")
            and not (Path(folder) / n).is_dir()
            or n in ("__pycache__", "locale", "static", "templates")
        ],
    )
    shutil.copy(ROOT / ".importlinter", target / ".importlinter")
    return target


def add_line(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def test_the_makefile_lint_target_checks_the_contracts():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in lint


def test_the_tree_keeps_the_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # core is the bottom layer: an import of a higher app, even hidden inside a function
        (
            "core/validators.py",
            "def _upward():\n    from casebook.reports import services  # noqa",
            "casebook.core is not allowed to import casebook.reports",
        ),
        (
            "subjects/models.py",
            "from casebook.tracking import models as _tracking_models  # noqa",
            "casebook.subjects is not allowed to import casebook.tracking",
        ),
        # siblings of one layer may import each other, apps above them may not be imported
        (
            "audit/services.py",
            "from casebook.subjects import selectors as _subject_selectors  # noqa",
            "casebook.audit is not allowed to import casebook.subjects",
        ),
        # the demo of a lower app does not do the work of a higher one (tracking's tasks are
        # walked on by intel's demo, not by tracking calling intel)
        (
            "tracking/demo.py",
            "def _upward():\n    from casebook.intel import services  # noqa",
            "casebook.tracking is not allowed to import casebook.intel",
        ),
        # the core holds no page that needs accounts (home, units moved up to accounts)
        (
            "core/views.py",
            "from casebook.accounts import roles as _roles  # noqa",
            "casebook.core is not allowed to import casebook.accounts",
        ),
        # the composition root (load_demo) sits above every app: nothing imports it
        (
            "reports/demo.py",
            "from casebook.site.management.commands import load_demo as _cmd  # noqa",
            "casebook.reports is not allowed to import casebook.site",
        ),
        # a views module is imported by urls only, even inside its own app
        (
            "accounts/services.py",
            "from casebook.accounts import home_views as _views  # noqa",
            "Illegal imports of protected package casebook.accounts.home_views",
        ),
        (
            "intel/services/records.py",
            "from casebook.intel import views as _views  # noqa",
            "Illegal imports of protected package casebook.intel.views",
        ),
        (
            "retention/hooks.py",
            "from casebook.retention import transmission_views as _views  # noqa",
            "Illegal imports of protected package casebook.retention.transmission_views",
        ),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(tree_copy, module, line, broken):
    path = tree_copy / "casebook" / module
    original = path.read_text(encoding="utf-8")
    add_line(path, line)
    try:
        result = lint_imports(tree_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in " ".join(result.stdout.split()), result.stdout


def test_every_views_module_is_protected():
    """A wildcard of import-linter replaces a whole module name, so a new ``<what>_views``
    module must be named in the contract, or any module could import it unnoticed."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    patterns = config["importlinter:contract:views"]["protected_modules"].split()
    expressions = [re.compile(re.escape(p).replace(r"\*", r"[^.]+") + r"\Z") for p in patterns]
    views_modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "casebook").rglob("*views.py")
        if "tests" not in path.parts
    ]
    assert "casebook.subjects.picker_views" in views_modules  # the walk finds them
    unprotected = [m for m in views_modules if not any(e.match(m) for e in expressions)]
    assert unprotected == []


# --- imports at module top (ruff PLC0415, pyproject.toml) -------------------------------------


def ruff(tree: Path, *paths: str) -> subprocess.CompletedProcess:
    """Ruff with the project's own configuration (the copy of pyproject.toml in ``tree``)."""
    return subprocess.run(
        [str(RUFF), "check", "--no-cache", "--output-format", "concise", *paths],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


HIDDEN = "def _late():\n    from casebook.reports import services\n\n    return services\n"


@pytest.fixture
def ruff_tree(tmp_path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for folder in ("casebook/core", "casebook/core/tests", "tests"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    return tmp_path


def test_a_function_level_import_in_casebook_fails_ruff(ruff_tree):
    (ruff_tree / "casebook/core/late.py").write_text(HIDDEN, encoding="utf-8")
    result = ruff(ruff_tree, "casebook/core/late.py")
    assert result.returncode == 1
    assert "casebook/core/late.py:2:5: PLC0415" in result.stdout


def test_a_stated_exception_and_the_tests_pass_ruff(ruff_tree):
    excused = HIDDEN.replace("services\n", "services  # noqa: PLC0415 - optional library\n", 1)
    (ruff_tree / "casebook/core/late.py").write_text(excused, encoding="utf-8")
    (ruff_tree / "casebook/core/tests/test_late.py").write_text(HIDDEN, encoding="utf-8")
    (ruff_tree / "tests/test_late.py").write_text(HIDDEN, encoding="utf-8")
    result = ruff(ruff_tree, ".")
    assert result.returncode == 0, result.stdout


def test_the_tree_has_no_unstated_function_level_import():
    """Every import inside a function of casebook/ (tests apart) states why it is there."""
    result = ruff(ROOT, "--select", "PLC0415", "casebook")
    assert result.returncode == 0, result.stdout
    excused = []
    for path in (ROOT / "casebook").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "noqa:" in line and "PLC0415" in line.split("noqa:", 1)[1]:
                excused.append((path.relative_to(ROOT), number, line))
    unexplained = [e for e in excused if not re.search(r"PLC0415 - \S", e[2])]
    assert unexplained == []
    assert len(excused) < 40, excused
