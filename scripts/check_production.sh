#!/usr/bin/env bash
# The documented production install, end to end (docs/operations.md, "Production install"):
# throwaway keys and secrets, a fresh database, migrate, collectstatic, a real administrator,
# gunicorn in production mode, then a log-in through the real form and the main pages with their
# hashed static files (scripts/production_smoke.py). Then `account_check`, which must find no
# demo account, and a demo account added on purpose, which account_check, check --deploy and
# gunicorn must refuse. SQLite in a temporary directory by default; with DATABASE_URL pointing to
# PostgreSQL, a database of its own (casebook_prod_check_<pid>) with the documented owner and
# runtime roles (`manage.py db_roles`): migrations run as the owner, everything else as the
# runtime role. Database and roles are dropped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$PWD/.venv/bin/python
HOST=casebook.example.org

work=$(mktemp -d)
gunicorn_pid=""
pg_admin_url=""
pg_db=""
cleanup() {
  if [ -n "$gunicorn_pid" ]; then
    kill "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_db" ]; then
    "$PY" scripts/pg_database.py drop "$pg_admin_url" "$pg_db" "${pg_db}_owner" "${pg_db}_app" ||
      true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$PY" - "$work" <<'PY'
import base64, os, sys
with open(os.path.join(sys.argv[1], "master.key"), "w") as fh:
    fh.write("kci:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=") + "\n")
PY
chmod 600 "$work/master.key"

export CASEBOOK_PRODUCTION=1
export CASEBOOK_VAR_DIR="$work/var"
export CASEBOOK_MASTER_KEY_FILE="$work/master.key"
export CASEBOOK_STATIC_ROOT="$work/static"
export CASEBOOK_AUDIT_CHECKPOINT_DIR="$work/checkpoints"
export ALLOWED_HOSTS="$HOST"
export CSRF_TRUSTED_ORIGINS="https://$HOST"
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SECRET_KEY
unset CASEBOOK_TESTING CASEBOOK_DEBUG
mkdir -p "$CASEBOOK_VAR_DIR"

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  # The documented roles: an owner that migrates, a runtime role that owns nothing.
  pg_admin_url="$DATABASE_URL"
  pg_db="casebook_prod_check_$$"
  owner_password="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
  runtime_password="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
  owner_url="$("$PY" scripts/pg_database.py url "$pg_admin_url" "${pg_db}_owner" "$owner_password" "$pg_db")"
  runtime_url="$("$PY" scripts/pg_database.py url "$pg_admin_url" "${pg_db}_app" "$runtime_password" "$pg_db")"
  echo "   database: PostgreSQL $pg_db, roles ${pg_db}_owner and ${pg_db}_app (db_roles --print-sql)"
  DATABASE_URL="sqlite:///$work/unused.sqlite3" "$PY" manage.py db_roles --print-sql \
    --database "$pg_db" --owner "${pg_db}_owner" --runtime "${pg_db}_app" >"$work/roles.sql"
  psql "$pg_admin_url" -q -v ON_ERROR_STOP=1 -v owner_password="$owner_password" \
    -v runtime_password="$runtime_password" -f "$work/roles.sql" >/dev/null
  echo "   migrate as the owner, then db_roles --apply-grants"
  DATABASE_URL="$owner_url" "$PY" manage.py migrate --no-input -v0
  DATABASE_URL="$owner_url" "$PY" manage.py db_roles --apply-grants --runtime "${pg_db}_app"
  DATABASE_URL="$runtime_url"
  export DATABASE_URL
  echo "   the runtime role cannot switch the audit trigger off"
  if psql "$DATABASE_URL" -q -c "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL" \
    2>"$work/psql.err" || ! grep -q "must be owner" "$work/psql.err"; then
    cat "$work/psql.err" >&2
    echo "the runtime role could alter the audit table (or psql failed otherwise)" >&2
    exit 1
  fi
else
  DATABASE_URL="sqlite:///$work/casebook.sqlite3"
  export DATABASE_URL
  echo "   database: SQLite in $work"
  echo "   migrate"
  "$PY" manage.py migrate --no-input -v0
fi
echo "   collectstatic"
"$PY" manage.py collectstatic --no-input -v0
echo "   check --deploy"
"$PY" manage.py check --deploy --fail-level WARNING

admin_password="$("$PY" -c 'import secrets; print("cb-" + secrets.token_urlsafe(18))')"
echo "   create_admin"
printf '%s\n' "$admin_password" |
  "$PY" manage.py create_admin 000001 孙丽 --bureau-name 江州市公安局 --bureau-code JZ \
    --password-stdin

port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "   gunicorn on 127.0.0.1:$port"
CASEBOOK_BIND="127.0.0.1:$port" .venv/bin/gunicorn -c gunicorn.conf.py casebook.wsgi \
  --log-level warning >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
  if "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$gunicorn_pid" 2>/dev/null; then
    cat "$work/gunicorn.log" >&2
    echo "gunicorn did not start" >&2
    exit 1
  fi
  sleep 0.5
done

echo "   log in and open the main pages"
if ! timeout 120 "$PY" scripts/production_smoke.py "$port" "$HOST" 000001 "$admin_password"; then
  echo "--- gunicorn log" >&2
  cat "$work/gunicorn.log" >&2
  exit 1
fi
if grep -q "Traceback\|Internal Server Error" "$work/gunicorn.log"; then
  cat "$work/gunicorn.log" >&2
  echo "gunicorn logged errors" >&2
  exit 1
fi
if ! grep -q 'request_id=[A-Za-z0-9-]\{8,\}' "$work/gunicorn.log" ||
  grep -q '"GET [^"]*?' "$work/gunicorn.log"; then
  cat "$work/gunicorn.log" >&2
  echo "the access log lacks request ids or shows query strings (gunicorn.conf.py)" >&2
  exit 1
fi

kill "$gunicorn_pid"
wait "$gunicorn_pid" 2>/dev/null || true
gunicorn_pid=""

echo "   account_check (no demo account in production)"
"$PY" manage.py account_check

echo "   a demo account appears: account_check, check --deploy and gunicorn refuse"
"$PY" manage.py shell -v 0 -c "
from casebook.accounts.demo import DEMO_PASSWORD
from casebook.accounts.services import user_create
from casebook.core.models import Unit
user_create(actor=None, username='010001', real_name='张伟', unit=Unit.objects.get(code='JZ'),
            password=DEMO_PASSWORD, is_demo=True)
"
if "$PY" manage.py account_check >"$work/account_check.log" 2>&1; then
  cat "$work/account_check.log" >&2
  echo "account_check passed with a demo account in production" >&2
  exit 1
fi
if "$PY" manage.py check --deploy >"$work/check.log" 2>&1 || ! grep -q accounts.E001 "$work/check.log"; then
  cat "$work/check.log" >&2
  echo "check --deploy did not report the demo account" >&2
  exit 1
fi
rc=0
CASEBOOK_BIND="127.0.0.1:$port" timeout 60 .venv/bin/gunicorn -c gunicorn.conf.py casebook.wsgi \
  --workers 1 >"$work/gunicorn-demo.log" 2>&1 || rc=$?
if [ "$rc" = 0 ] || [ "$rc" = 124 ] || ! grep -q "Demo accounts are active" "$work/gunicorn-demo.log"; then
  cat "$work/gunicorn-demo.log" >&2
  echo "gunicorn started (rc=$rc) with a demo account in production" >&2
  exit 1
fi
"$PY" manage.py account_check --disable-demo >/dev/null
"$PY" manage.py account_check >/dev/null
echo "production install: OK"
