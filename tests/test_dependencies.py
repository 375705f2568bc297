"""Dependencies: the lock files match pyproject.toml, and a production install (no demo extra, no
test tools) imports every module it runs.

The locks are regenerated with ``make lock``; the first test fails when a dependency was added to
pyproject.toml without regenerating them.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {
    "base": ROOT / "requirements" / "base.txt",
    "demo": ROOT / "requirements" / "demo.txt",
    "dev": ROOT / "requirements" / "dev.txt",
}
#: Imported only by demo data, tests and tools: a production install does not have them.
NOT_IN_PRODUCTION = [
    "faker",
    "factory",
    "pytest",
    "pytest_django",
    "hypothesis",
    "time_machine",
    "polib",
    "playwright",
    "schemathesis",
]


def _pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for every requirement in a pip-compile lock file."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)", line)
        if match:
            current = canonicalize_name(match[1])
            pins[current] = (match[2], [])
        elif current and (hash_ := re.search(r"--hash=(sha256:[0-9a-f]{64})", line)):
            pins[current][1].append(hash_[1])
    return pins


def _declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    return {
        "base": [Requirement(r) for r in project["dependencies"]],
        "demo": [Requirement(r) for r in extras.get("demo", [])],
        "dev": [Requirement(r) for r in extras.get("dev", [])],
    }


@pytest.mark.parametrize("lock", ["base", "demo", "dev"])
def test_lock_pins_every_declared_dependency_with_hashes(lock):
    declared = _declared()
    wanted = {
        "base": declared["base"],
        "demo": declared["base"] + declared["demo"],
        "dev": declared["base"] + declared["demo"] + declared["dev"],
    }[lock]
    pins = _pins(LOCKS[lock])
    assert pins, f"{LOCKS[lock]} is empty: run make lock"
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in {LOCKS[lock].name}: run make lock"
        version, _hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{LOCKS[lock].name} pins {name}=={version}, pyproject.toml wants {requirement}: "
            "run make lock"
        )
    unhashed = [name for name, (_v, hashes) in pins.items() if not hashes]
    assert not unhashed, f"pins without a hash in {LOCKS[lock].name}: {unhashed}"


def test_locks_agree_and_keep_production_lean():
    base, demo, dev = (_pins(LOCKS[name]) for name in ("base", "demo", "dev"))
    for name, (version, _hashes) in base.items():
        assert demo[name][0] == version and dev[name][0] == version, name
    # Faker is the demo extra; test tools are the dev extra: neither goes to production.
    assert "faker" not in base and "faker" in demo
    for tool in ("pytest", "factory-boy", "hypothesis", "playwright", "ruff"):
        assert tool not in base and tool not in demo and tool in dev, tool


def test_locks_name_no_index_or_local_path():
    for path in LOCKS.values():
        text = path.read_text()
        for option in ("--index-url", "--extra-index-url", "--find-links", "--trusted-host"):
            assert option not in text, f"{path.name} names {option}: machine-specific"
        assert "file:" not in text and "/opt/" not in text, path.name


# Run in a fresh interpreter: the test process has imported Faker and the test tools already.
_PRODUCTION_IMPORTS = r"""
import importlib, importlib.abc, pkgutil, sys

BLOCKED = set(sys.argv[1].split(","))

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (not installed)", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())

import django
django.setup()
from django.core.management import call_command
call_command("check", verbosity=0)

import casebook
skipped = (".tests", ".demo", ".migrations", "casebook.testing", "load_demo")
imported = 0
for info in pkgutil.walk_packages(casebook.__path__, "casebook."):
    if any(part in info.name for part in skipped):
        continue
    importlib.import_module(info.name)
    imported += 1

from django.core.management.base import CommandError
try:
    call_command("load_demo")
except CommandError as exc:
    print("load_demo:", exc)
print("imported", imported)
"""


def test_production_install_needs_neither_faker_nor_test_tools(tmp_path):
    """Every module a production process loads imports without the demo extra (Faker) and the
    dev extra; ``manage.py check`` passes; ``load_demo`` says clearly what is missing."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "casebook.settings",
        "CASEBOOK_TESTING": "1",
        "CASEBOOK_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_IMPORTS, ",".join(NOT_IN_PRODUCTION)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    imported = int(re.search(r"imported (\d+)", result.stdout)[1])
    assert imported > 100  # the walk really covered the project
    assert "load_demo: Demo data needs Faker" in result.stdout
