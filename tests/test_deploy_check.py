"""Production mode passes `manage.py check --deploy --fail-level WARNING` (SECURITY.md D1)."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("CASEBOOK_TESTING", None)
    result = subprocess.run(
        ["bash", "scripts/check_deploy.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = {
        **os.environ,
        "CASEBOOK_PRODUCTION": "1",
        "CASEBOOK_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "x.example",
    }
    env.pop("SECRET_KEY", None)
    env.pop("CASEBOOK_TESTING", None)
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
