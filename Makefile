# Styrkort: `make run` to try it, `make test` to test it. Needs only Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Every install syncs with --inexact: it installs and pins what the lock file gives for its
# groups and removes nothing. A plain `uv sync` is exact, so `make run` (the app alone) after
# `make test` (the app and the test tools) would uninstall pytest, Playwright and ruff, and
# `make test` after `make bench` would remove locust. Installing every group everywhere would
# instead put the test tools into production. A package dropped from uv.lock stays in .venv
# until `rm -rf .venv`; the versions that the lock pins are always the ones installed.
SYNC := $(UV) sync --frozen --inexact --quiet
# Local runs use development settings; production sets DEBUG=false and real secrets (see README).
DEV_ENV := DEBUG=true

.PHONY: run install install-test test check lint format migrate demo manage bench serve backup restore clean

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Styrkort needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(SYNC) --no-default-groups

install-test: $(UV)
	$(SYNC) --group test
	@# axe-core for the accessibility checks; without npm those tests skip (CI installs it).
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; fi

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(PY) manage.py load_demo

# Any management command with the development settings (DEBUG on, the SQLite file in var/ unless
# DATABASE_URL is set) and the venv's Python, e.g.
#   make manage ARGS="export_report --board AN --year 2022 --output rapport.xlsx"
manage: install
	$(DEV_ENV) $(PY) manage.py $(ARGS)

run: demo
	@echo ""
	@echo "Styrkort körs på http://127.0.0.1:8000"
	@$(DEV_ENV) $(PY) manage.py demo_users --print
	@echo ""
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

check: install-test
	$(DEV_ENV) $(PY) manage.py check
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@# Template indentation, with the hook's own list of templates not yet reindented.
	$(VENV)/bin/pre-commit run djhtml --all-files --show-diff-on-failure
	$(DEV_ENV) $(VENV)/bin/mypy

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# pytest exits 5 when it collected no tests; that is a failure here, never a pass.
test: install-test
	@$(DEV_ENV) STYRKORT_TESTING=true $(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) var

# --- Drift (README, "Drift"): production settings come from the environment -----------------

# Production: gunicorn + whitenoise on PostgreSQL, DEBUG off; needs DATABASE_URL, SECRET_KEY and
# ALLOWED_HOSTS. WORKERS and BIND override the defaults (CPU count, 127.0.0.1:8000).
serve: install
	@scripts/serve.sh

# var/backups/styrkort-<time>.dump (pg_dump -Fc) or .sqlite3 (a consistent copy).
backup: install
	$(PY) manage.py backup

# Replaces the whole database with the backup: make restore FILE=var/backups/styrkort-….dump
restore: install
	@if [ -z "$(FILE)" ]; then echo "make restore: ange filen, till exempel make restore FILE=var/backups/styrkort-20250101-120000.dump" >&2; exit 2; fi
	$(PY) manage.py restore --file "$(FILE)"

# Benchmark (README, "Benchmark"): sizes S and L on a throw-away PostgreSQL (or DATABASE_URL's
# server), every page's time and queries, the floors, and a gunicorn + locust load test. Takes
# several minutes and is not part of `make test`; BENCH_ARGS="--skip-load --runs 5" is quicker.
bench: $(UV)
	$(SYNC) --group test --group bench
	$(PY) bench/run.py $(BENCH_ARGS)
