"""Static files in production mode: `collectstatic` builds the hashed manifest that every page
needs (issue #11, item 3). A vendored file that names a missing source map used to break it, and
then every page answered 500 ("Missing staticfiles manifest entry")."""

import base64
import json
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC_SOURCES = ROOT / "casebook" / "static"
SOURCE_MAP = re.compile(rb"sourceMappingURL=([^\s*]+)")


def production_env(tmp_path: Path) -> dict:
    """Production mode with throwaway secrets, as scripts/check_deploy.sh sets it up."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    env = {
        **os.environ,
        "CASEBOOK_PRODUCTION": "1",
        "CASEBOOK_VAR_DIR": str(tmp_path),
        "CASEBOOK_MASTER_KEY": f"kci:{key}",
        "CASEBOOK_STATIC_ROOT": str(tmp_path / "static"),
        "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "ALLOWED_HOSTS": "casebook.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    # Test mode swaps the manifest storage for the plain one: this test needs the real thing.
    env.pop("CASEBOOK_TESTING", None)
    env.pop("CASEBOOK_DEBUG", None)
    return env


def test_collectstatic_succeeds_in_production_mode(tmp_path):
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--no-input", "-v1"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,  # compressing every file takes seconds on a quiet machine, minutes on a loaded one
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/htmx/htmx.min.js",
    ):
        hashed = manifest[name]
        assert hashed != name  # a content hash in the name: far-future caching is safe
        assert (tmp_path / "static" / hashed).is_file()
        assert (tmp_path / "static" / f"{hashed}.gz").is_file()  # whitenoise compression


def test_no_vendored_file_names_a_missing_source_map():
    """The manifest storage rewrites `sourceMappingURL` and fails when the map is absent."""
    missing = []
    for path in STATIC_SOURCES.rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for target in SOURCE_MAP.findall(path.read_bytes()):
            if not (path.parent / target.decode()).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {target.decode()}")
    assert missing == []
