"""Backups and restore drills (article 七(一); SECURITY.md D7).

``backup_create`` writes one encrypted file (``backup_format``) holding a tar stream:

* ``database.sqlite3`` (SQLite's online backup API: a consistent copy while others write) or
  ``database.pgdump`` (``pg_dump -Fc`` inside an exported REPEATABLE READ snapshot, the row
  counts read in that same snapshot);
* ``media/…``: the files of the default storage, which are ciphertext already (attachments,
  photos, exports);
* ``audit-checkpoints/checkpoints.jsonl``: the signed chain heads, a new one made first;
* ``manifest.json`` (last): installation id, engine, the checkpoint, row counts per table and the
  SHA-256 and size of every member.

Never the master keyring: the backup is encrypted under it and useless without it, so the two are
kept apart (docs/operations.md, "Backups").

``restore_drill`` decrypts and checks the whole file first (authentication, digests), restores the
database into a scratch database (a temporary SQLite file, or a new PostgreSQL database that is
dropped afterwards — never the live one), then runs ``manage.py restore_drill --check-restored``
as a child process connected to the scratch database, which verifies the audit chain against the
backup's checkpoint, compares every table's row count with the manifest and decrypts a sample of
every encrypted column. A JSON report is written; the drill is audited.

``backup_prune`` deletes backups older than ``CASEBOOK_BACKUP_MAX_AGE_DAYS`` (default 35): a
destroyed data key survives in a backup at most that many days.
"""

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore / manage.py with fixed argument lists
import sys
import tarfile
import tempfile
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.audit import chain
from casebook.audit.services import record_event
from casebook.crypto.exceptions import DecryptionError
from casebook.crypto.fields import EncryptedTextField
from casebook.crypto.keyring import keyring_path, load_keyring
from casebook.crypto.services import system_mac

from .backup_format import BackupError, DecryptingReader, EncryptingWriter, read_header

SUFFIX = ".cbbak"
SAMPLE_PER_COLUMN = 20
_MEMBER_DB = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def installation_id() -> str:
    """This installation's id: an HMAC under its audit system key (random per installation,
    wrapped by the master key), so a restored copy has the same id and another installation,
    even one sharing the keyring, has another."""
    return system_mac("audit", b"casebook-installation-id").hex()[:32]


def backup_directory() -> Path:
    return Path(settings.CASEBOOK_BACKUP_DIR)


def max_age() -> timedelta:
    return timedelta(days=settings.CASEBOOK_BACKUP_MAX_AGE_DAYS)


def engine() -> str:
    vendor = connection.vendor
    if vendor not in _MEMBER_DB:
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))
    return vendor


# --- PostgreSQL helpers ------------------------------------------------------------------------


def _pg_params() -> dict:
    s = connection.settings_dict
    return {
        "host": s.get("HOST") or "",
        "port": str(s.get("PORT") or ""),
        "user": s.get("USER") or "",
        "password": s.get("PASSWORD") or "",
        "dbname": s["NAME"],
    }


def _pg_env(params: dict) -> dict:
    env = dict(os.environ)
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return env


def _pg_args(params: dict, dbname: str) -> list[str]:
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params[key]:
            args += [flag, params[key]]
    return [*args, "-d", dbname]


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            _("%(tool)s is not on PATH: install the PostgreSQL client tools.") % {"tool": name}
        )
    return path


def _pg_connect(params: dict, dbname: str | None = None):
    return psycopg.connect(
        host=params["host"] or None,
        port=params["port"] or None,
        user=params["user"] or None,
        password=params["password"] or None,
        dbname=dbname or params["dbname"],
        autocommit=dbname is not None,
    )


def _run(args: list[str], env: dict | None = None) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": tool, "error": done.stderr.strip()[-500:]}
        )


# --- database dump -------------------------------------------------------------------------


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608
    finally:
        db.close()


def _dump_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest)
    finally:
        dest.close()
    return _sqlite_counts(target)


def _dump_postgres(target: Path) -> dict[str, int]:
    pg_dump = _pg_tool("pg_dump")
    params = _pg_params()
    with _pg_connect(params) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
            for t in tables
        }
        _run(
            [
                pg_dump,
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
                *_pg_args(params, params["dbname"]),
            ],
            env=_pg_env(params),
        )
        conn.rollback()
    return counts


# --- writing -------------------------------------------------------------------------------


class _HashingFile:
    """Reads a file while computing its SHA-256 (so each member is read once)."""

    def __init__(self, fh):
        self._fh = fh
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str, files: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o600
    with path.open("rb") as fh:
        hashing = _HashingFile(fh)
        tar.addfile(info, hashing)
    files[name] = {"sha256": hashing.sha256.hexdigest(), "size": info.size}


def _add_bytes(tar: tarfile.TarFile, data: bytes, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _media_files() -> list[tuple[Path, str]]:
    location = getattr(default_storage, "location", None)
    if not location or not Path(location).is_dir():
        return []
    root = Path(location).resolve()
    secret = keyring_path().resolve()
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.resolve() != secret:
            found.append((path, "media/" + path.relative_to(root).as_posix()))
    return found


@dataclass
class BackupResult:
    path: Path
    size: int
    counts: dict[str, int]
    files: int
    checkpoint_seq: int


def backup_create(*, actor=None, directory: Path | None = None) -> BackupResult:
    """Write an encrypted backup into ``directory`` (default ``CASEBOOK_BACKUP_DIR``)."""
    kind = engine()
    directory = directory or backup_directory()
    directory.mkdir(parents=True, exist_ok=True)
    record_event(actor=actor, actor_name="" if actor else "manage.py", action="backup.create")
    checkpoint = chain.make_checkpoint()
    inst = installation_id()
    created = datetime.now(UTC)
    name = f"casebook-{created:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}{SUFFIX}"
    final = directory / name
    with tempfile.TemporaryDirectory(prefix="casebook-backup-") as work:
        dump = Path(work) / _MEMBER_DB[kind]
        counts = _dump_sqlite(dump) if kind == "sqlite" else _dump_postgres(dump)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                writer = EncryptingWriter(
                    out,
                    keyring=load_keyring(),
                    installation_id=inst,
                    header={"created_at": created.isoformat(), "engine": kind},
                )
                files: dict[str, dict] = {}
                with tarfile.open(fileobj=writer, mode="w|") as tar:
                    _add_file(tar, dump, dump.name, files)
                    dump.unlink()
                    for path, member in _media_files():
                        _add_file(tar, path, member, files)
                    cp_file = chain.checkpoint_directory() / "checkpoints.jsonl"
                    if cp_file.exists():
                        _add_file(tar, cp_file, "audit-checkpoints/checkpoints.jsonl", files)
                    manifest = {
                        "format": 1,
                        "installation_id": inst,
                        "created_at": created.isoformat(),
                        "engine": kind,
                        "checkpoint": checkpoint,
                        "counts": counts,
                        "files": files,
                    }
                    _add_bytes(tar, json.dumps(manifest, sort_keys=True).encode(), "manifest.json")
                writer.close()
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, 0o600)
            os.replace(partial, final)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return BackupResult(final, final.stat().st_size, counts, len(files), checkpoint["seq"])


# --- pruning -------------------------------------------------------------------------------


def backup_created_at(path: Path) -> datetime:
    """When a backup was made, from its header (the file's time if the header is unreadable)."""
    try:
        with path.open("rb") as fh:
            return datetime.fromisoformat(read_header(fh)["created_at"])
    except (BackupError, KeyError, ValueError, OSError):
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def backup_prune(*, actor=None, directory: Path | None = None) -> list[str]:
    """Delete the backups older than ``CASEBOOK_BACKUP_MAX_AGE_DAYS``; audited when any go."""
    directory = directory or backup_directory()
    if not directory.is_dir():
        return []
    limit = timezone.now() - max_age()
    gone = []
    for path in sorted(directory.glob(f"casebook-*{SUFFIX}")):
        if backup_created_at(path) < limit:
            path.unlink()
            gone.append(path.name)
    if gone:
        record_event(
            actor=actor,
            actor_name="" if actor else "manage.py",
            action="backup.prune",
            details={"deleted": len(gone), "max_age_days": settings.CASEBOOK_BACKUP_MAX_AGE_DAYS},
        )
    return gone


# --- restoring -----------------------------------------------------------------------------


_SAFE_MEMBER = ("database.", "media/", "audit-checkpoints/", "manifest.json")


def _extract(path: Path, into: Path) -> tuple[dict, dict]:
    """Decrypt and unpack ``path`` into ``into``; check every digest. Returns (header, manifest).
    Raises :class:`BackupError` on any doubt; the caller removes ``into``."""
    seen: dict[str, dict] = {}
    manifest = None
    with path.open("rb") as fh:
        reader = DecryptingReader(
            fh, keyring=load_keyring(), expected_installation_id=installation_id()
        )
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    name = member.name
                    if (
                        not member.isfile()
                        or not name.startswith(_SAFE_MEMBER)
                        or ".." in Path(name).parts
                        or name.startswith("/")
                    ):
                        raise BackupError(
                            _("The backup holds an unexpected entry: %(name)s.") % {"name": name}
                        )
                    source = tar.extractfile(member)
                    target = into / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    with target.open("wb") as out:
                        while block := source.read(1 << 20):
                            digest.update(block)
                            out.write(block)
                    if name == "manifest.json":
                        manifest = json.loads(target.read_text())
                    else:
                        seen[name] = {"sha256": digest.hexdigest(), "size": member.size}
        except tarfile.TarError as exc:
            raise BackupError(_("The backup's content is damaged: %(e)s") % {"e": exc}) from exc
    if manifest is None:
        raise BackupError(_("The backup has no manifest: it is incomplete."))
    if seen != manifest.get("files"):
        raise BackupError(_("The backup's files do not match its manifest."))
    if manifest.get("installation_id") != reader.header.get("installation_id"):
        raise BackupError(_("The backup's manifest names another installation."))
    return reader.header, manifest


@contextmanager
def _scratch_database(kind: str, work: Path):
    """Yield the DATABASE_URL of a scratch database holding the backup; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{work / _MEMBER_DB['sqlite']}"
        return
    params = _pg_params()
    pg_restore = _pg_tool("pg_restore")
    name = f"casebook_drill_{secrets.token_hex(6)}"
    if name == params["dbname"]:  # pragma: no cover - 48 random bits
        raise BackupError("scratch database name collides with the live one")
    with _pg_connect(params, "postgres") as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *_pg_args(params, name),
                str(work / _MEMBER_DB["postgresql"]),
            ],
            env=_pg_env(params),
        )
        auth = urllib.parse.quote(params["user"] or "", safe="")
        if params["password"]:
            auth += ":" + urllib.parse.quote(params["password"], safe="")
        host = params["host"] or "localhost"
        port = f":{params['port']}" if params["port"] else ""
        yield f"postgres://{auth}@{host}{port}/{name}"
    finally:
        with _pg_connect(params, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class DrillResult:
    ok: bool
    backup: str
    report_path: Path | None
    checks: dict = field(default_factory=dict)
    error: str = ""


def _check_in_child(url: str, manifest_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env["DATABASE_URL"] = url
    env["CASEBOOK_MASTER_KEY"] = ",".join(load_keyring().entry_strings())
    env["CASEBOOK_AUDIT_CHECKPOINT_DIR"] = str(manifest_path.parent / "audit-checkpoints")
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "restore_drill",
            "--check-restored",
            str(manifest_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise BackupError(
            _("The check of the restored database failed: %(e)s")
            % {"e": (done.stderr or done.stdout).strip()[-800:]}
        ) from exc


def restore_drill(path: Path, *, actor=None, report_dir: Path | None = None) -> DrillResult:
    """Restore ``path`` into a scratch database and prove it; never touches the live database.
    Raises :class:`BackupError` (after auditing the failure) when the file cannot be trusted."""
    path = Path(path)
    report_dir = report_dir or backup_directory() / "drills"
    started = datetime.now(UTC)
    checks: dict = {}
    try:
        if not path.is_file():
            raise BackupError(_("No such backup file: %(path)s") % {"path": path})
        with tempfile.TemporaryDirectory(prefix="casebook-drill-") as tmp:
            work = Path(tmp)
            header, manifest = _extract(path, work)
            checks["archive"] = {
                "ok": True,
                "files": len(manifest["files"]),
                "created_at": header.get("created_at"),
            }
            kind = manifest["engine"]
            if kind != engine():
                raise BackupError(
                    _("This is a %(theirs)s backup; this installation runs %(ours)s.")
                    % {"theirs": kind, "ours": engine()}
                )
            with _scratch_database(kind, work) as url:
                checks.update(_check_in_child(url, work / "manifest.json"))
        ok = all(check.get("ok") for check in checks.values())
        error = "" if ok else _("The restored copy differs from the backup: see the report.")
    except BackupError as exc:
        ok, error = False, str(exc)
    report = {
        "backup": path.name,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "engine": connection.vendor,
        "ok": ok,
        "error": error,
        "checks": checks,
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    report_path = report_dir / f"restore-drill-{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}.json"
    report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    record_event(
        actor=actor,
        actor_name="" if actor else "manage.py",
        action="backup.restore_drill",
        outcome="success" if ok else "failure",
        details={"backup": path.name[:100], "ok": ok},
    )
    result = DrillResult(ok, path.name, report_path, checks, error)
    return result


# --- the checks, run inside the child connected to the scratch database ---------------------


def _encrypted_columns():
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                yield model, f


def check_restored(manifest: dict) -> dict:
    """Verify the database this process is connected to against ``manifest`` (the scratch copy)."""

    checks: dict = {}
    result = chain.verify(manifest.get("checkpoint"))
    checks["audit_chain"] = {"ok": result.ok, "events": result.checked, "message": result.message}
    same = installation_id() == manifest.get("installation_id")
    checks["installation"] = {"ok": same}
    differences = {}
    with connection.cursor() as cursor:
        for table, expected in sorted(manifest.get("counts", {}).items()):
            try:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                actual = cursor.fetchone()[0]
            except Exception:  # noqa: BLE001 - a missing table is a difference, reported below
                actual = None
            if actual != expected:
                differences[table] = {"backup": expected, "restored": actual}
    checks["row_counts"] = {
        "ok": not differences,
        "tables": len(manifest.get("counts", {})),
        "rows": sum(manifest.get("counts", {}).values()),
        "differences": differences,
    }
    decrypted = destroyed = failed = 0
    for model, f in _encrypted_columns():
        rows = (
            model._base_manager.exclude(**{f.name: ""})
            .exclude(**{f"{f.name}__isnull": True})
            .order_by("?")[:SAMPLE_PER_COLUMN]
        )
        for row in rows:
            try:
                value = getattr(row, f.attname)
            except DecryptionError:
                failed += 1
                continue
            if value is None:
                destroyed += 1
            else:
                decrypted += 1
    checks["encrypted_sample"] = {
        "ok": failed == 0,
        "decrypted": decrypted,
        "destroyed_keys": destroyed,
        "failed": failed,
    }
    return checks
