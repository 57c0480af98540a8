# The two commands of the README: `make run` and `make test`. Everything else is set-up for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORTAL_BIND ?= 127.0.0.1:8000

.PHONY: run test bench lint setup migrate clean-var

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py setup_schedule
	$(PY) manage.py setup_roles

run: setup
	$(PY) manage.py seed_demo --if-empty
	@echo
	@echo "  Portal:  http://$(PORTAL_BIND)/   (Ctrl-C stops web, worker and beat)"
	@$(PY) manage.py demo_logins
	@echo
	PORTAL_DEMO=true DEBUG=$${DEBUG:-false} PORTAL_BIND=$(PORTAL_BIND) $(VENV)/bin/honcho start

test: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)
