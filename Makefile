# FDX — the two commands: `make run` (set up and serve a demo node) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run setup serve test test-api test-browser test-multinode test-all lint contracts format messages makemessages benchmarks clean

run: setup ## Set up everything (first time) and serve FDX on http://127.0.0.1:$${PORT:-8000}
	$(BIN)/fdx serve

setup: $(RUNTIME_STAMP) ## Install, migrate, compile translations, load reference data, create the demo people
	$(BIN)/fdx setup --demo

serve: ## Serve an already set-up node
	$(BIN)/fdx serve

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

messages: $(RUNTIME_STAMP) ## Compile the translation catalogues (.po -> .mo)
	$(BIN)/python -c "from fdx.core.i18n import compile_catalogues; compile_catalogues()"

makemessages: $(DEV_STAMP) ## Extract new strings into the .po files (needs GNU gettext)
	cd src/fdx && ../../$(BIN)/django-admin makemessages -l ru --no-obsolete --ignore=tests --settings=fdx.config.settings_test

test: $(DEV_STAMP) messages ## Run the whole suite on SQLite (on PostgreSQL when FDX_TEST_DATABASE_URL is set)
	$(BIN)/pytest -m "not browser and not schemathesis and not multinode"

test-api: $(DEV_STAMP) messages ## Fuzz the whole API from its OpenAPI document with schemathesis (a few minutes)
	$(BIN)/pytest -m schemathesis tests/test_schemathesis.py

test-browser: $(DEV_STAMP) messages ## Drive a served FDX in a real Chromium (needs /usr/bin/chromium)
	$(BIN)/pytest -m browser tests/browser

test-multinode: $(DEV_STAMP) messages ## Serve three real FDX nodes (kz, uz, hub) and test them together; with FDX_TEST_DATABASE_URL the hub is on PostgreSQL
	$(BIN)/pytest -m multinode tests/multinode

contracts: $(DEV_STAMP) ## Check the architecture contracts (the layers; no import cycle between apps)
	$(BIN)/lint-imports --no-cache

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks conftest.py
	$(BIN)/ruff format --check src tests benchmarks conftest.py

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests benchmarks conftest.py
	$(BIN)/ruff check --fix src tests benchmarks conftest.py

clean: ## Remove the virtual environment and the local data (var/)
	rm -rf $(VENV) var
