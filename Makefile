# tradestats: `make run` serves the API on the embedded SQLite store, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SERVING := $(VENV)/.serving
CODEGEN := $(VENV)/codegen
CHROMIUM ?= /usr/bin/chromium

.PHONY: run install serving browser migrate test lint format bench fuzz clean

run: migrate ## Install, migrate and seed the store, serve on PORT (default 8000)
	$(BIN)/tradestats serve

install: $(INSTALLED) ## Create the virtualenv and install the project with its dev tools

serving: $(SERVING) ## Create the virtualenv and install what serving needs, nothing more

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@# Debian ships venv's pip bootstrap separately (python3.X-venv): fetch it when missing.
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
		pkg=python$$($(PYTHON) -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq $$pkg; \
		else \
			echo "Python's venv module is missing: install $$pkg (sudo apt-get install $$pkg)"; exit 1; \
		fi; \
	fi
	$(PYTHON) -m venv $(VENV)

$(SERVING): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(INSTALLED): pyproject.toml $(SERVING)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# The client generator the tests use lives apart (it pins an older typer).
	$(PYTHON) -m venv $(CODEGEN)
	$(CODEGEN)/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	$(CODEGEN)/bin/python -m pip install --quiet --group codegen
	@touch $@

browser: ## Debian's Chromium for the browser tests (Playwright drives it; nothing downloads)
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq chromium; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; \
		fi; \
	fi

migrate: serving ## Upgrade the store (DATABASE_URL) to the latest schema and seed data
	$(BIN)/tradestats migrate
	@# The pair answers a migration marked (the seed's, a new derivation's), stored now.
	$(BIN)/tradestats derive

test: install browser ## Run the suite on SQLite, and on Postgres too when TEST_POSTGRES_URL is set
	$(BIN)/pytest

lint: install ## ruff (lint and format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fuzz: install ## Schemathesis on every operation with many more examples (FUZZ_EXAMPLES, FUZZ_SEED)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/http/test_schemathesis.py \
		$${FUZZ_SEED:+--hypothesis-seed=$$FUZZ_SEED}

bench: install ## Load-test against Postgres; BENCH_ARGS="--rows 10000000 --duration 20"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var test-output .pytest_cache .mypy_cache .ruff_cache *.egg-info
