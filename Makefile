# The two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: setup system-packages assets demo test lint mutation serve clean

## Everything the tests need: the Debian packages (scripts/system_packages.sh), .venv, Chart.js and axe-core
setup: system-packages $(VENV)/.installed assets

# Installs missing packages when run as root with apt; otherwise stops, printing the exact command to run.
system-packages:
	@bash scripts/system_packages.sh

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# Front-end files pinned in package-lock.json: Chart.js, copied into static/vendor/ once its
# checksum matches scorecard/assets.py, and axe-core for the browser tests.
assets: $(VENV)/.installed
	@if command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory node_modules/.package-lock.json && $(PY) scripts/vendor_static.py; \
	else \
	  echo "warning: npm not found: no self-hosted Chart.js, so charts fall back to the CDN only (browser tests skip)." >&2; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## Set up, load the December 2017 demo council on SQLite, and serve it on http://127.0.0.1:8000 (or HOST=...)
# Only Python is needed here: the system packages are for the tests (and the PDF download, which needs Pango).
demo: $(VENV)/.installed assets
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py demo --address "$(HOST)" $(if $(PASSWORD),--password "$(PASSWORD)")
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

## Run the whole test suite on the database DATABASE_URL names (SQLite by default)
test: setup
	$(PY) -m pytest

## Lint, format check and types (ruff, mypy with django-stubs; settings in pyproject.toml), as CI runs them
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(VENV)/bin/mypy

## Mutation testing (mutmut) of the engine, SPC, expressions and validation; slow (25 minutes or more), not in CI
mutation: $(VENV)/.installed
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/python scripts/mutation_scores.py

## Production: collect static files, migrate, and serve with gunicorn (see README, Operations)
# Settings come from the environment (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...).
# WEB_CONCURRENCY worker processes (gunicorn reads it itself; 2 when unset), GUNICORN_TIMEOUT
# seconds per request, GUNICORN_BIND where to listen. No control socket: nothing on local disk.
serve: setup
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py migrate --no-input
	WEB_CONCURRENCY=$${WEB_CONCURRENCY:-2} DATABASE_CONN_MAX_AGE=$${DATABASE_CONN_MAX_AGE:-60} \
	exec $(VENV)/bin/gunicorn scorecard.wsgi:application --no-control-socket \
	  --bind "$${GUNICORN_BIND:-127.0.0.1:8000}" --timeout "$${GUNICORN_TIMEOUT:-30}" \
	  --graceful-timeout "$${GUNICORN_TIMEOUT:-30}" --access-logfile - --error-logfile -

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules static/vendor screenshots mutants .mypy_cache .ruff_cache
