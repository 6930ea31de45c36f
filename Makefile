# Two commands matter: `make demo` and `make test`. Both install what they need and are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OKX_CLI_VERSION := 1.2.4
OKX_CLI := .okx-cli/node_modules/.bin/okx
PYTEST_ARGS ?=

.PHONY: demo test lint evals bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-runtime

$(OKX_CLI):
	npm install --silent --no-audit --no-fund --prefix .okx-cli @okx_ai/okx-trade-cli@$(OKX_CLI_VERSION)
	touch $@

install: $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime
	$(BIN)/okx-auth-graph chat --demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check okx_auth_graph tests evals
	$(BIN)/ruff format --check okx_auth_graph tests evals
	$(BIN)/mypy --strict okx_auth_graph

test: $(VENV)/.installed-test $(OKX_CLI) lint
	OKX_REAL_CLI=$(CURDIR)/$(OKX_CLI) $(BIN)/python -m pytest $(PYTEST_ARGS)

evals: $(VENV)/.installed-test
	$(BIN)/okx-auth-graph eval evals/scenarios --report .reports/evals.json

bench: $(VENV)/.installed-test
	$(BIN)/python -m okx_auth_graph.bench

clean:
	rm -rf $(VENV) .okx-cli .reports
