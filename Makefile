# hia-service. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HIA_PORT ?= 5000
HIA_TEST_WORKERS ?= auto
# Browser tests wait on the browser more than they compute; each worker runs its own server and chromium.
# More than two made them time out on a 2-core machine without finishing sooner.
HIA_BROWSER_WORKERS ?= 2
HIA_ENV ?= development
export HIA_ENV
export HIA_PORT

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Every package, down to the last dependency, comes pinned and hash-checked from requirements/*.txt (made by
# `make lock`); only the project itself, installed editable, cannot be hashed, so it goes in with --no-deps.
# uv installs them (pinned and hashed itself, in requirements/uv.txt): about 20 s where pip took 55. It
# compiles each package's bytecode as pip does, since every test process imports them.
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes --compile-bytecode

$(BIN)/uv: $(BIN)/python requirements/uv.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements/uv.txt
	touch $@

$(VENV)/.installed: $(BIN)/uv pyproject.toml requirements/test.txt
	$(UV_INSTALL) -r requirements/test.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.bench-installed: $(VENV)/.installed requirements/bench.txt
	$(UV_INSTALL) -r requirements/bench.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: install
install: $(VENV)/.installed node_modules/.installed ## Install the service with its dev and browser extras into .venv, and front-end packages

.PHONY: migrate
migrate: install ## Bring the database schema up to date
	$(BIN)/hia db upgrade

.PHONY: reference
reference: install ## Load reference data from HIA_REFERENCE_DIR (default ../shared/reference-data)
	$(BIN)/hia reference load

.PHONY: seed
seed: install ## Create the demo organisation and users (safe to repeat)
	$(BIN)/hia demo seed

.PHONY: run
run: migrate reference seed ## Install, migrate, load data, seed the demo and serve on 127.0.0.1:$HIA_PORT
	@# With Redis: documents on an rq queue with a worker, rate limits shared by both gunicorn workers (the
	@# queue is named after the port, as other copies of the service may share this Redis). Without it: the
	@# embedded default, documents drawn in the web process and limits counted in memory by one process.
	@if $(BIN)/python -c 'import os, redis; redis.Redis.from_url(os.environ.get("HIA_REDIS_URL") or "redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()' 2>/dev/null; then \
	  echo "Serving on http://127.0.0.1:$(HIA_PORT), with Redis for the document queue and rate limits"; \
	  HIA_QUEUE=rq HIA_QUEUE_NAME=hia-documents-$(HIA_PORT) \
	    HIA_RATELIMIT_STORAGE_URI=$${HIA_RATELIMIT_STORAGE_URI:-$${HIA_REDIS_URL:-redis://127.0.0.1:6379/0}} bash -c '$(BIN)/hia worker & trap "kill $$!" EXIT; \
	    $(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(HIA_PORT) --workers 2 --threads 4 --timeout 120 --access-logfile - wsgi:app'; \
	else \
	  echo "Serving on http://127.0.0.1:$(HIA_PORT). Redis is not reachable, so documents are drawn and signed in the web process and rate limits are counted in memory"; \
	  HIA_QUEUE=sync HIA_RATELIMIT_STORAGE_URI=memory:// \
	    $(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(HIA_PORT) --workers 1 --threads 8 --timeout 120 --access-logfile - wsgi:app; \
	fi

TESTING = env -u PYTHONDONTWRITEBYTECODE HIA_ENV=testing

.PHONY: test
test: install ## Run the whole suite (SQLite, and PostgreSQL when HIA_TEST_POSTGRES_URL is set)
	@# Two runs: Playwright's event loop and pyHanko's asyncio.run() cannot share one process. The first is
	@# spread over HIA_TEST_WORKERS processes (pytest-xdist; idle workers take queued tests from busy ones).
	@# Bytecode is written (under __pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set:
	@# pytest otherwise rewrites every test module's asserts afresh in each process, about 6 s apiece. The
	@# browser tests' workers collect only their own folder (the whole suite took each about 7 s more).
	$(TESTING) $(BIN)/pytest -m "not browser" -n $(HIA_TEST_WORKERS) --dist worksteal
	$(TESTING) $(BIN)/pytest -m browser -n $(HIA_BROWSER_WORKERS) --dist worksteal tests/browser

.PHONY: lint
lint: install ## ruff, formatting, types (mypy) and the architecture's import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

.PHONY: bench
bench: install $(VENV)/.bench-installed ## Install .[bench] (and PostGIS, where apt can) on top, run the benchmarks and print their figures
	benchmarks/install_postgis.sh
	HIA_ENV=testing $(BIN)/python benchmarks/run.py

.PHONY: lock
lock: $(BIN)/python ## Re-pin constraints.txt and requirements/*.txt with hashes (UPGRADE=--upgrade: newer releases)
	@# One resolution over every extra (constraints.txt) keeps the test and bench sets on the same versions;
	@# pins already in it are kept unless UPGRADE=--upgrade.
	test -x $(BIN)/uv || $(BIN)/pip install --quiet 'uv>=0.9'
	$(LOCK) --all-extras -o constraints.txt $(UPGRADE)
	$(LOCK) --extra dev --extra browser -c constraints.txt -o requirements/test.txt
	$(LOCK) --extra bench -c constraints.txt -o requirements/bench.txt
	echo uv | $(BIN)/uv pip compile - --quiet --generate-hashes --python-version 3.11 \
	  --custom-compile-command 'make lock' -c constraints.txt -o requirements/uv.txt

LOCK = $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
  --custom-compile-command 'make lock'
