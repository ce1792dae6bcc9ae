# Federa — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.DEFAULT_GOAL := help
.PHONY: help install run test test-postgres test-sqlite lint bench browser clean messages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP) ## Create .venv and install Federa with its dev tools

run: install ## Migrate, load the demo once, serve on http://127.0.0.1:$(PORT) (SQLite, no Redis)
	$(BIN)/federa demo --if-empty
	FEDERA_BASE_URL=$${FEDERA_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/federa serve --port $(PORT)

browser: ## Install Debian's chromium for the browser tests, when missing
	@command -v chromium >/dev/null || bash tests/e2e/install_chromium.sh

test: install browser ## Run the whole suite: on PostgreSQL, then on SQLite
	bash tests/run.sh

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy platform workers

bench: install ## Benchmarks (PostgreSQL, loopback); figures go to bench/RESULTS.md
	$(BIN)/python bench/run.py

messages: install ## Re-extract the English msgids and update the Italian catalog (lists what is untranslated)
	$(BIN)/python tools/i18n.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
