#!/usr/bin/env bash
# The 300-officer load test (issue #13): gunicorn with the production configuration
# (gunicorn.conf.py, CASEBOOK_PRODUCTION=1) over the bench database, locust headless against it
# on 127.0.0.1 for a bounded time, then the figures, the server's CPU and a profile.
#
#   bench/load/run.sh [USERS=300] [DURATION=3m] [SPAWN_RATE=10]
#
# Needs the bench bureau (bench/generate.py). Never touches DATABASE_URL's database: the URL
# comes from CASEBOOK_BENCH_DATABASE_URL through bench/benchdb.py, which checks its name.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
USERS=${USERS:-300}
DURATION=${DURATION:-3m}
SPAWN_RATE=${SPAWN_RATE:-10}
PORT=${LOAD_PORT:-8813}
OUT=${LOAD_OUT:-var/bench/load}
mkdir -p "$OUT"

URL=$($PY -c 'import sys; sys.path.insert(0, "bench"); from benchdb import bench_database_url; print(bench_database_url())')
export DATABASE_URL="$URL"
export CASEBOOK_VAR_DIR=${CASEBOOK_VAR_DIR:-$PWD/var/bench}
export CASEBOOK_PRODUCTION=1
export SECRET_KEY=${SECRET_KEY:-bench-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}
export ALLOWED_HOSTS=127.0.0.1
export CASEBOOK_SSL_REDIRECT=0       # TLS ends at nginx in production; here X-Forwarded-Proto says so
export CASEBOOK_BIND=127.0.0.1:$PORT
export CASEBOOK_STATIC_ROOT=$OUT/static
export CASEBOOK_LOAD_ACCOUNTS=$OUT/accounts.txt

# the accounts: the generator's officers without a second factor (leaders need one)
psql "$URL" -Atc "SELECT u.username FROM accounts_user u WHERE u.is_active AND NOT u.is_demo
  AND u.username ~ '^[0-9]{2}01[0-9]{2}$' AND NOT EXISTS (SELECT 1 FROM accounts_userrole r
  WHERE r.user_id = u.id AND r.role IN ('station_leader', 'bureau_leader', 'supervisor'))
  ORDER BY u.username" > "$CASEBOOK_LOAD_ACCOUNTS"
echo "accounts: $(wc -l < "$CASEBOOK_LOAD_ACCOUNTS"); users: $USERS; duration: $DURATION"

$PY manage.py migrate --no-input -v0
$PY manage.py collectstatic --no-input -v0
# a production server refuses to start while demo accounts are active: disable them (audited)
$PY manage.py account_check --disable-demo >/dev/null || true  # exits 1 when it reports
.venv/bin/gunicorn -c gunicorn.conf.py casebook.wsgi --pid "$OUT/gunicorn.pid" \
  --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" --daemon
trap 'kill "$(cat "$OUT/gunicorn.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fsS -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/accounts/login/" && break
  sleep 1
done

# CPU of the server (master + workers) and of PostgreSQL, sampled every 5 s while it runs
( while sleep 5; do
    echo "$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg) gunicorn $(ps -o %cpu= --ppid "$(cat "$OUT/gunicorn.pid")" | paste -sd+ | bc) postgres $(ps -C postgres -o %cpu= | paste -sd+ | bc)"
  done ) > "$OUT/cpu.log" 2>/dev/null & sampler=$!

${LOCUST:-.venv/bin/locust} -f bench/load/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --csv "$OUT/locust" --only-summary \
  2>&1 | tee "$OUT/locust.log" | tail -40 || true
kill "$sampler" 2>/dev/null || true
echo "CPU samples (gunicorn workers %, postgres %): $OUT/cpu.log"
tail -5 "$OUT/cpu.log"
