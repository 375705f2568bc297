# Casebook — two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint fmt check install install-dev messages clean screenshots bench

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Casebook needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

## make run — install, migrate the embedded SQLite database, load the demo bureau, serve.
run: $(STAMP)
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_demo
	@echo ""
	@echo "Casebook is at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@echo "Background worker and scheduler run alongside (schedules, escalation, e-mail),"
	@echo "restarted if they stop; logs in var/worker.log and var/scheduler.log."
	@echo ""
	@scripts/supervise.sh $(PY) manage.py casebook_worker --interval 5 --no-startup-delay \
		>var/worker.log 2>&1 & worker=$$!; \
	scripts/supervise.sh $(PY) manage.py run_scheduler --interval 300 \
		>var/scheduler.log 2>&1 & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

## make test — the whole suite: unit, integration, API and browser tests.
## Uses PostgreSQL when DATABASE_URL points to one, SQLite otherwise.
test: $(DEV_STAMP)
	$(PY) manage.py makemigrations --check --dry-run -v0
	CASEBOOK_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	CASEBOOK_TESTING=1 $(PY) manage.py check
	CASEBOOK_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) scripts/check_translations.py

fmt: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make messages — refresh the translation catalogues and compile them.
messages: $(DEV_STAMP)
	cd casebook && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete -e html,py,txt
	cd casebook && ../$(PY) ../manage.py compilemessages

screenshots: $(DEV_STAMP)
	$(PY) scripts/screenshots.py

bench: $(DEV_STAMP)
	@ls bench/*.py

clean:
	rm -rf $(VENV) staticfiles
