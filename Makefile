# Every target documents itself: `make` or `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: help install run test lint fmt typecheck browsers bench screenshots translations clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Ideas needs Python 3.11 or newer; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

OIDC_STAMP := tests/oidc/node_modules/.package-lock.json

# The sign-in tests run a real OpenID Connect provider in Node; without npm they are skipped.
$(OIDC_STAMP): tests/oidc/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the sign-in tests will be skipped (apt-get install nodejs npm)"; \
	fi

VNU_STAMP := tests/vnu/node_modules/.package-lock.json

# The HTML validity test runs the Nu HTML Checker (vnu.jar, with Java); without npm it is skipped.
$(VNU_STAMP): tests/vnu/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/vnu --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the HTML validity test will be skipped (apt-get install nodejs npm)"; \
	fi

install: $(STAMP) $(OIDC_STAMP) $(VNU_STAMP)  ## Create .venv and install Ideas with its test tools

run: $(STAMP)  ## Serve the site with demo data at http://127.0.0.1:8000
	$(BIN)/ideas migrate
	$(BIN)/ideas demo --if-empty
	$(BIN)/ideas serve

# The tests run on two workers (pytest-xdist), each with databases, servers and ports of
# its own: about a third faster than one process on two cores. `make test WORKERS=0` runs
# them in one process (easier to read when something hangs).
WORKERS ?= 2

test: install  ## Run every test: SQLite, PostgreSQL (if reachable) and the browser (if Chromium is installed); print the coverage
	$(BIN)/pytest -n $(WORKERS) --cov --cov-report=term:skip-covered

lint: $(STAMP)  ## Check style and types (ruff, mypy)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ideas tests bench

fmt: $(STAMP)  ## Format the code and fix what ruff can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

POT := ideas/translations/messages.pot

translations: $(STAMP)  ## Extract the words people read, update the es/fr/ar catalogs, compile them
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --sort-output \
		--project Ideas --copyright-holder "Ideas contributors" -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d ideas/translations --ignore-obsolete
	$(BIN)/pybabel compile -d ideas/translations --statistics

browsers:  ## Install Debian's Chromium and fonts for the browser tests (needs root)
	apt-get update -qq
	apt-get install -y -qq chromium fonts-liberation fonts-dejavu-core

screenshots: install  ## Photograph the main pages at 375 and 1280 px into docs/screenshots
	IDEAS_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser/test_screenshots.py -q

bench: $(STAMP)  ## Load-test the signed-in pages and votes on 100k ideas against a bare stack, and 2,000 live streams per process, SQLite and PostgreSQL (BENCH_SCALE=0.01 for a quick run)
	@command -v wrk >/dev/null || { echo 'Installing wrk'; apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench

clean:  ## Remove the virtualenv, caches and the local demo database
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache test-results tests/oidc/node_modules tests/vnu/node_modules
