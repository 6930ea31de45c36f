# Two commands matter: `make demo` and `make test`. Both install what they need and are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OKX_CLI_VERSION := 1.2.4
OKX_CLI := .okx-cli/node_modules/.bin/okx
PYTEST_ARGS ?=
# The lowest LangGraph pyproject.toml allows, tested in a venv of its own (test-langgraph-floor).
LANGGRAPH_FLOOR := 1.2.22
FLOOR_VENV := .venv-langgraph-floor
# pytest-xdist workers for `make test`: one more than the cores, because many tests wait (on a
# terminal, a server, a child process, a timeout) and a core would idle meanwhile
# (PYTEST_WORKERS=0 runs in this process). `make test-fast` runs one per core.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
FAST_WORKERS ?= auto

.PHONY: test-langgraph-floor demo test test-fast mutants mutation-score lint evals bench install clean postgres-server studio studio-approve docs-graph

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv (a PyPI package, installed into the venv by its pip) installs the project and its extras:
# the same resolution as pip's, in seconds instead of a minute (the test extra has ~170 packages).
# uv writes no .pyc at install. `make demo`'s install asks for them (--compile-bytecode, as pip
# does), so the first chat starts as fast as the next. The test install does not: compiling all
# ~9,300 modules of ~170 packages took ~45 CPU-s before the suite could start, and the suite
# imports a fifth of them. It imports the graph's, the chat's, the evaluation's and pytest's
# modules once instead (~7 CPU-s), writing their .pyc even where PYTHONDONTWRITEBYTECODE is set
# (as on this project's machines): pytest run by hand, the mutant runs (which set it) and each
# xdist worker then read them. `make test` and `make test-fast` unset the variable, so the first
# process that imports any other module writes its .pyc.
UV := $(BIN)/uv
UV_INSTALL := $(UV) pip install --quiet
$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv

$(VENV)/.installed-runtime: pyproject.toml | $(UV)
	$(UV_INSTALL) --compile-bytecode --python $(BIN)/python -e '.[chat,mcp]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(UV)
	$(UV_INSTALL) --python $(BIN)/python -e '.[test]'
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -c 'import okx_auth_graph.graph.builder, \
	  okx_auth_graph.doors.chat, okx_auth_graph.evals.runner, pytest, hypothesis, xdist'
	touch $@

$(OKX_CLI):
	npm install --silent --no-audit --no-fund --prefix .okx-cli @okx_ai/okx-trade-cli@$(OKX_CLI_VERSION)
	touch $@

install: $(VENV)/.installed-runtime

# The PostgreSQL tests start their own throw-away server from Debian's binaries; install them
# (package `postgresql`) when absent. Without root or sudo this only warns: the tests then skip
# locally and fail under CI.
postgres-server:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "warning: PostgreSQL server binaries missing; run: apt-get install postgresql"; exit 0; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

demo: $(VENV)/.installed-runtime
	$(BIN)/okx-auth-graph chat --demo

# ruff over the whole tree: the code, the examples, the notebook and the docs' code blocks; one
# mypy run (pyproject.toml): --strict for the package and the benchmarks, defaults for the tests.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The suite runs in parallel (pytest-xdist) and in a random order (pytest-randomly); the header
# prints `Using --randomly-seed=N`: `PYTEST_ARGS=--randomly-seed=N` replays the order
# and the generated runs of that run.
# Bytecode may be written (PYTHONDONTWRITEBYTECODE unset): pytest keeps the test modules it rewrote
# for its assertions, and Python the project's and the packages' modules, in __pycache__ (the
# first process to import one writes it); where the variable is set, every pytest process and
# subprocess compiled them again (seconds each).
# Beside pytest (its workers keep the cores busy, but these would otherwise wait their turn):
# - make lint's mypy; it leaves .reports/mypy.done when it ends, and the one test that runs mypy
#   itself waits for it, then finds LangGraph's types in the shared cache (~2 CPU-s, not ~20);
# - the daily slice of the mutant catalogue (it runs on a snapshot of the tree);
# - the LangGraph-floor smoke set (its venv is installed there too, off the path to pytest).
# Each one's output follows pytest's; any of them failing fails make test.
test: $(VENV)/.installed-test $(OKX_CLI) postgres-server
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p .reports
	unset PYTHONDONTWRITEBYTECODE; \
	rm -f .reports/mypy.done; \
	{ $(BIN)/mypy > .reports/mypy.txt 2>&1; s=$$?; touch .reports/mypy.done; exit $$s; } & mypy=$$!; \
	$(BIN)/python -m tests.mutants --rotate 3 --no-baseline > .reports/mutants.txt 2>&1 & mutants=$$!; \
	$(MAKE) --no-print-directory test-langgraph-floor > .reports/floor.txt 2>&1 & floor=$$!; \
	OKX_REAL_CLI=$(CURDIR)/$(OKX_CLI) MYPY_CACHE_READY=$(CURDIR)/.reports/mypy.done \
	  $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup \
	  $(PYTEST_ARGS); status=$$?; \
	wait $$mypy || status=1; echo "== $(BIN)/mypy (beside pytest)"; cat .reports/mypy.txt; \
	wait $$mutants || status=1; echo "== the mutant slice (beside pytest)"; cat .reports/mutants.txt; \
	wait $$floor || status=1; echo "== the LangGraph floor (beside pytest)"; cat .reports/floor.txt; \
	exit $$status

# The lowest LangGraph pyproject.toml allows, in a venv of its own with the runtime dependencies
# only: a small smoke set (resuming old checkpoints, the login flows, public API, lazy graph).
$(FLOOR_VENV)/.installed: pyproject.toml | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(FLOOR_VENV)
	$(UV_INSTALL) --python $(FLOOR_VENV)/bin/python -e . 'langgraph==$(LANGGRAPH_FLOOR)' \
	  pytest pytest-asyncio httpx
	touch $@

test-langgraph-floor: $(FLOOR_VENV)/.installed
	$(FLOOR_VENV)/bin/python -c 'import importlib.metadata as m; v = m.version("langgraph"); \
	  assert v == "$(LANGGRAPH_FLOOR)", v'
	$(FLOOR_VENV)/bin/python -m pytest -q -o addopts= -p no:cacheprovider \
	  tests/compat tests/graph/test_login_flows.py tests/unit/test_public_langgraph_api.py

# The mutant catalogue (docs/testing.md): every realistic bug must make a test fail. `make test`
# runs a daily slice of 3; this runs them all, writes .reports/mutants.json and the results'
# table in docs/testing.md.
mutants: $(VENV)/.installed-test
	$(BIN)/python -m tests.mutants --json .reports/mutants.json --docs docs/testing.md

# mutmut's score for the rule modules (docs/testing.md): a seeded sample per module, at low
# priority, each module under a time limit; writes .reports/mutation-score.json and the table.
mutation-score: $(VENV)/.installed-test
	$(BIN)/python -m tests.mutants.score --json .reports/mutation-score.json --docs docs/testing.md

# The fast loop while developing: unit and graph tests (no servers, no real CLI, no retraining of
# the learned reader: `make test` runs those), under 30 s.
test-fast: $(VENV)/.installed-test
	unset PYTHONDONTWRITEBYTECODE; \
	$(BIN)/python -m pytest -n $(FAST_WORKERS) --dist loadgroup -m "not training and not fresh_process" tests/unit tests/graph -q

# Redraw docs/architecture.md's Mermaid graph from the compiled graph (a test compares).
docs-graph: $(VENV)/.installed-test
	$(BIN)/python tests/graph/drawing.py

# LangGraph Studio / server: `langgraph dev` on 127.0.0.1:$(STUDIO_PORT) with the bundled emulator as
# `okx` (a fresh not-logged-in world in .studio/world; approve with `make studio-approve`).
STUDIO_PORT ?= 2024
STUDIO_ENV = PATH=$(CURDIR)/.studio/bin:$(CURDIR)/$(BIN):$$PATH OKX_EMULATOR_STATE=$(CURDIR)/.studio/world \
	LANGGRAPH_CLI_NO_ANALYTICS=1 LANGSMITH_TRACING=false

# langgraph dev would quietly move to another port when STUDIO_PORT is taken, where
# studio-approve's Studio, the SDK example (STUDIO_PORT) and `eval --url` would not find it: refuse.
studio: $(VENV)/.installed-test
	@$(BIN)/python -c 'import socket, sys; s = socket.socket(); \
	  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' \
	  $(STUDIO_PORT) 2>/dev/null || { echo "make studio: port $(STUDIO_PORT) on 127.0.0.1 is in use \
	(another langgraph dev?). Stop that server, or pick a free port: make studio STUDIO_PORT=8123, \
	then use that port for the SDK example (STUDIO_PORT=8123) and eval --url http://127.0.0.1:8123." >&2; exit 2; }
	$(BIN)/okx-emulator shim .studio/bin
	$(STUDIO_ENV) $(BIN)/okx-emulator world init --auth not_logged_in
	$(STUDIO_ENV) $(BIN)/langgraph dev --no-browser --host 127.0.0.1 --port $(STUDIO_PORT)

studio-approve: $(VENV)/.installed-test
	$(STUDIO_ENV) $(BIN)/okx-emulator world approve --scopes live:read,live:trade

evals: $(VENV)/.installed-test
	$(BIN)/okx-auth-graph eval evals/scenarios --report .reports/evals.json

# Progress by phase on a terminal; BENCH_ARGS=--quiet for none.
BENCH_ARGS ?=
bench: $(VENV)/.installed-test postgres-server
	$(BIN)/python -m benchmarks.bench --out benchmarks/results.json $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.report benchmarks/results.json docs/benchmarks.md

clean:
	rm -rf $(VENV) .okx-cli .reports .studio .langgraph_api
