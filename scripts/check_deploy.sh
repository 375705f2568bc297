#!/usr/bin/env bash
# `manage.py check --deploy --fail-level WARNING` in production mode, with throwaway secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
prod_var=$(mktemp -d)
trap 'rm -rf "$prod_var"' EXIT
.venv/bin/python - "$prod_var" <<'PY'
import base64, os, sys
with open(os.path.join(sys.argv[1], "master.key"), "w") as fh:
    fh.write("kci:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=") + "\n")
PY
CASEBOOK_PRODUCTION=1 CASEBOOK_VAR_DIR="$prod_var" \
  SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  ALLOWED_HOSTS=casebook.example.org \
  DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}" \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
