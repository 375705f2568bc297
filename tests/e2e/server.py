"""Start the real Casebook in a subprocess against its own fresh database.

Used by the browser tests (``tests/e2e/conftest.py``) and by ``scripts/screenshots.py``.
Nothing here imports Django: the server is a separate process with its own environment, its own
``CASEBOOK_VAR_DIR`` (secret key, master key, audit checkpoints) and its own database, so the
audit table's DELETE/TRUNCATE triggers never meet a test-database flush.

    with CasebookServer() as server:
        print(server.base_url)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
MANAGE = REPO_ROOT / "manage.py"
DEMO_PASSWORD = "jiangzhou-demo-2026"
#: Variables of the outer environment that must not leak into the server under test.
_DROPPED_ENV = (
    "CASEBOOK_PRODUCTION",
    "CASEBOOK_MASTER_KEY",
    "CASEBOOK_MASTER_KEY_FILE",
    "CASEBOOK_AUDIT_CHECKPOINT_DIR",
    "CASEBOOK_STATIC_ROOT",
    "CASEBOOK_TEST_SQLITE_NAME",
    "SECRET_KEY",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CASEBOOK_PROXY_COUNT",
    "CASEBOOK_LANGUAGE",
    "CASEBOOK_DEBUG",
    "DJANGO_SETTINGS_MODULE",
)


class ServerError(RuntimeError):
    """The server could not be prepared or did not come up; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _pg_admin_connect(url: str):
    """An autocommit connection to the server's maintenance database."""
    import psycopg

    errors = []
    for maintenance in ("postgres", "template1"):
        try:
            return psycopg.connect(_conninfo(_with_database(url, maintenance)), autocommit=True)
        except psycopg.OperationalError as exc:  # pragma: no cover - depends on the server
            errors.append(f"{maintenance}: {exc}")
    raise ServerError("Cannot connect to PostgreSQL for the e2e database:\n" + "\n".join(errors))


def _conninfo(url: str) -> str:
    # psycopg understands postgres:// and postgresql:// URIs; normalise the other spellings.
    scheme, rest = url.split(":", 1)
    return ("postgresql" if scheme in {"postgres", "pgsql"} else scheme) + ":" + rest


class CasebookServer:
    """A Casebook process on 127.0.0.1:<free port>, its database, its var directory."""

    def __init__(
        self,
        outer_database_url: str | None = None,
        *,
        port: int | None = None,
        startup_timeout: float = 60.0,
        load_demo: bool = True,
        worker: bool = True,
    ):
        if outer_database_url is None:
            outer_database_url = os.environ.get("DATABASE_URL", "")
        self.outer_database_url = outer_database_url
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.load_demo = load_demo
        self.worker = worker
        self.worker_process: subprocess.Popen | None = None
        self.tmpdir: Path | None = None
        self.var_dir: Path | None = None
        self.database_url = ""
        self.pg_database: str | None = None
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._log = None

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> CasebookServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> CasebookServer:
        try:
            self._prepare()
            self._serve()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.worker_process is not None and self.worker_process.poll() is None:
            self.worker_process.terminate()
            try:
                self.worker_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.worker_process.kill()
                self.worker_process.wait(timeout=10)
        self.worker_process = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.pg_database:
            self._drop_pg_database()
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    # -- steps -------------------------------------------------------------------------------
    def _prepare(self) -> None:
        self.tmpdir = Path(tempfile.mkdtemp(prefix="casebook-e2e-"))
        self.var_dir = self.tmpdir / "var"
        self.var_dir.mkdir()
        self.log_path = self.tmpdir / "server.log"
        if is_postgres(self.outer_database_url):
            self.pg_database = f"casebook_e2e_{os.getpid()}"
            with _pg_admin_connect(self.outer_database_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.pg_database}"')
            self.database_url = _with_database(self.outer_database_url, self.pg_database)
        else:
            self.database_url = f"sqlite:///{self.tmpdir / 'e2e.sqlite3'}"
        self._manage("migrate", "--no-input", "-v0")
        if self.load_demo:
            self._manage("load_demo", "--quiet-logins")

    def _drop_pg_database(self) -> None:
        name, self.pg_database = self.pg_database, None
        try:
            with _pg_admin_connect(self.outer_database_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - teardown must not mask the test result
            print(f"warning: could not drop e2e database {name}: {exc}", file=sys.stderr)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "CASEBOOK_VAR_DIR": str(self.var_dir),
                "CASEBOOK_TESTING": "0",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                # No scheduler here (tests enqueue what they need); without a worker, /healthz
                # must not wait for its heartbeat either.
                "CASEBOOK_HEALTH_SCHEDULER_STALE_SECONDS": "0",
            }
        )
        if not self.worker:
            env["CASEBOOK_HEALTH_WORKER_STALE_SECONDS"] = "0"
        return env

    def _manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            cwd=REPO_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(
                f"manage.py {' '.join(args)} failed (exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def _serve(self) -> None:
        self._log = open(self.log_path, "w+", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        if self.worker:  # background jobs (exports, urgent-report delivery), as `make run` has
            self.worker_process = subprocess.Popen(
                [
                    *(sys.executable, str(MANAGE), "casebook_worker"),
                    *("--interval", "1", "--no-startup-delay"),
                ],
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE), "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.startup_timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"The server exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                health = f"{self.base_url}/healthz"  # http://127.0.0.1 only
                with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
                    body = response.read().decode().strip()
                if body == "ok":
                    return
                last_error = f"/healthz answered {body!r}"
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.25)
        raise ServerError(
            f"The server did not answer /healthz within {self.startup_timeout:.0f} s "
            f"({last_error}). Its output:\n{self.output()}"
        )

    def output(self) -> str:
        """Everything the server printed so far."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")
