# Casebook — two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Locked dependencies with hashes (make lock regenerates them from pyproject.toml):
#   base.txt  production (no demo data, no test tools)
#   demo.txt  base + the demo extra (Faker): what `make run` installs
#   dev.txt   base + demo + dev (tests, lint): what `make test` installs
LOCK_BASE := requirements/base.txt
LOCK_DEMO := requirements/demo.txt
LOCK_DEV := requirements/dev.txt

.PHONY: run test lint fmt check install install-dev lock messages clean screenshots bench bench-load font

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Casebook needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Install exactly the locked versions (every file checked against its hash), then the project
# itself without resolving anything more. A changed lock or pyproject.toml re-installs.
$(STAMP): $(LOCK_DEMO) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_DEMO)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): $(LOCK_DEV) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

## make lock — regenerate the three lock files from pyproject.toml (after changing a dependency).
## Keeps the current pins where they still fit; `make lock UPGRADE=1` moves everything to the
## newest allowed versions. The pins are resolved on Python 3.11 (the oldest supported) and
## carry the hashes of every published file of each version, so they install on Linux x86_64
## with any Python >= 3.11. No index URL is written into them: pip's own configuration decides
## where the files come from (a local mirror works too, as long as it serves the same files).
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host $(if $(UPGRADE),--upgrade)
lock: | $(PY)
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	mkdir -p requirements
	$(PIP_COMPILE) --extra demo --extra dev -o $(LOCK_DEV) pyproject.toml
	@# The smaller locks start from the dev pins so that all three agree on every version.
	cp $(LOCK_DEV) $(LOCK_DEMO)
	$(PIP_COMPILE) --extra demo -o $(LOCK_DEMO) pyproject.toml
	cp $(LOCK_DEV) $(LOCK_BASE)
	$(PIP_COMPILE) -o $(LOCK_BASE) pyproject.toml

## make font — the PDF font: Debian's Noto Sans CJK SC (fonts-noto-cjk, installed here when
## missing and we are root) converted once per machine to TrueType outlines, which ReportLab
## embeds; kept in ~/.cache/casebook/fonts (CASEBOOK_FONT_DIR). See docs/operations.md.
NOTO_CJK := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
font:  # after run or test has installed the environment (listed after its stamp)
	@if [ -z "$$CASEBOOK_FONT_SOURCE" ] && [ ! -f $(NOTO_CJK) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing the Debian package fonts-noto-cjk (the PDF font)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else \
	    echo "The PDF font needs Noto Sans CJK: install the Debian package fonts-noto-cjk" \
	      "(or set CASEBOOK_FONT_SOURCE to NotoSansCJK-Regular.ttc / SourceHanSansSC-Regular.otf)"; \
	    exit 1; \
	  fi; \
	fi
	$(PY) manage.py build_pdf_font

## make run — install, migrate the embedded SQLite database, load the demo bureau, serve.
run: $(STAMP)
	@# Without root and without the Debian font the app still runs; only PDF exports wait for it.
	@$(MAKE) --no-print-directory font || echo "Notice: the PDF font is not installed," \
	  "so PDF exports will fail with that reason until it is (see docs/operations.md)."
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
## Uses PostgreSQL when DATABASE_URL points to one, SQLite otherwise. Runs in one process per
## core (up to 4; pytest-xdist, each with its own test database); `make test TEST_WORKERS=0`
## runs in one process, `PYTEST_ARGS=...` replaces the arguments.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST_ARGS ?= -n $(TEST_WORKERS)
test: $(DEV_STAMP) font
	$(PY) manage.py makemigrations --check --dry-run -v0
	CASEBOOK_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # layers look down only; views imported by urls only (.importlinter)
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

## make bench [SIZE=small|full] — build the bench bureau (bench/generate.py; its own database,
## CASEBOOK_BENCH_DATABASE_URL, never DATABASE_URL's) and print one table: every page beside the
## raw SQL of the same rows (bench/pages.py). docs/performance.md has the figures.
SIZE ?= small
BENCH_URL_DEFAULT := postgres://postgres@127.0.0.1:5432/casebook_bench$(if $(filter small,$(SIZE)),_small,)
bench: $(DEV_STAMP)
	CASEBOOK_BENCH_DATABASE_URL=$${CASEBOOK_BENCH_DATABASE_URL:-$(BENCH_URL_DEFAULT)} \
		$(PY) bench/generate.py --size $(SIZE)
	CASEBOOK_BENCH_DATABASE_URL=$${CASEBOOK_BENCH_DATABASE_URL:-$(BENCH_URL_DEFAULT)} \
		$(PY) bench/pages.py

## make bench-load [SIZE=…] [USERS=300] [DURATION=3m] — 300 officers through gunicorn with the
## production configuration on 127.0.0.1 (bench/load/run.sh, locust).
bench-load: $(DEV_STAMP)
	CASEBOOK_BENCH_DATABASE_URL=$${CASEBOOK_BENCH_DATABASE_URL:-$(BENCH_URL_DEFAULT)} \
		bench/load/run.sh

clean:
	rm -rf $(VENV) staticfiles
