# The two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: setup demo test serve clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

## Set up, load the December 2017 demo council on SQLite, and serve it on http://127.0.0.1:8000
demo: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py demo $(if $(PASSWORD),--password "$(PASSWORD)")
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

## Run the whole test suite on the database DATABASE_URL names (SQLite by default)
test: setup
	$(PY) -m pytest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
