# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup system deps messages migrate demo bench clean browser lint migrations-check openapi \
	openapi-check check static release

$(STAMP): requirements/lock.txt
	@scripts/check_system.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/lock.txt
	@touch $(STAMP)

deps: $(STAMP)

# Compiled translations are build output, produced here and never committed.
messages: deps
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0

setup: deps messages

migrate: setup
	$(PY) manage.py migrate --noinput -v0

# Production (docs/deployment.md): the hashed static files every page names; without them every page is a 500
# and /healthz/ says so. `make release` is what a release runs on an app server (with the env file loaded).
static: setup
	$(PY) manage.py collectstatic --noinput -v0

release: migrate static

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@scripts/run_site.sh $(HOST) $(PORT)

browser:
	@scripts/check_system.sh --browser

# The suite runs in random order (pytest-randomly; the seed is printed first, rerun one order with
# PYTEST_ARGS="-p randomly --randomly-seed=N"); PYTEST_ARGS="-p no:randomly" keeps the file order.
test: setup browser
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

# The habits CI checks (.ci/run runs `make check` before `make test`); pre-commit runs the same on commit.
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: deps
	$(PY) manage.py makemigrations --check --dry-run

# docs/openapi.yaml is the committed API schema; regenerate it when the API changes on purpose.
openapi: messages
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

# The schema's labels are the Vietnamese translations, so the .mo files are built first.
openapi-check: messages
	@PY=$(PY) scripts/check_openapi.sh

check: lint migrations-check openapi-check

bench: migrate
	$(PY) bench/worktime.py
	$(PY) bench/worktime_overhead.py
	$(PY) bench/catalog.py
	$(PY) bench/catalog_import.py
	$(PY) bench/inbox.py
	$(PY) bench/load.py
	$(PY) bench/eform.py
	$(PY) bench/reports.py

clean:
	rm -rf $(VENV) var
