# hia-service. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HIA_PORT ?= 5000
HIA_TEST_WORKERS ?= auto
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

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: install
install: $(VENV)/.installed node_modules/.installed ## Install Python packages into .venv and front-end packages

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
	@echo "Serving on http://127.0.0.1:$(HIA_PORT), with a background worker for PDFs"
	@# The queue is named after the port: other copies of the service may share this Redis. Rate limits
	@# are counted there too, so both gunicorn workers share one allowance, as app servers do in production.
	HIA_QUEUE=rq HIA_QUEUE_NAME=hia-documents-$(HIA_PORT) \
	  HIA_RATELIMIT_STORAGE_URI=$${HIA_RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0} bash -c '$(BIN)/hia worker & trap "kill $$!" EXIT; \
	  $(BIN)/gunicorn --bind 127.0.0.1:$(HIA_PORT) --workers 2 --threads 4 --timeout 120 --access-logfile - wsgi:app'

.PHONY: test
test: install ## Run the whole suite (SQLite, and PostgreSQL when HIA_TEST_POSTGRES_URL is set)
	@# Two runs: Playwright's event loop and pyHanko's asyncio.run() cannot share one process. The first is
	@# spread over HIA_TEST_WORKERS processes (pytest-xdist; tests/faults stay together on one, by xdist_group).
	HIA_ENV=testing $(BIN)/pytest -m "not browser" -n $(HIA_TEST_WORKERS) --dist loadgroup
	HIA_ENV=testing $(BIN)/pytest -m browser

.PHONY: lint
lint: install ## ruff, formatting and the architecture's import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

.PHONY: bench
bench: install ## Run the benchmarks and print their figures
	HIA_ENV=testing $(BIN)/python benchmarks/run.py

.PHONY: lock
lock: $(BIN)/python ## Refresh constraints.txt from a clean install of pyproject.toml's ranges
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^hia-service' > constraints.txt
