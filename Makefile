# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup system deps messages migrate demo bench clean browser

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

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@scripts/run_site.sh $(HOST) $(PORT)

browser:
	@scripts/check_system.sh --browser

test: setup browser
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

bench: migrate
	$(PY) bench/worktime.py
	$(PY) bench/catalog.py
	$(PY) bench/inbox.py
	$(PY) bench/load.py
	$(PY) bench/eform.py
	$(PY) bench/reports.py

clean:
	rm -rf $(VENV) var
