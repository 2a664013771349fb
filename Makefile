# Parley: `make run` starts the demo, `make test` runs every check. Both set themselves up from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PORT ?= 8001
export PARLEY_PUBLIC_URL ?= http://localhost:$(PORT)
# daphne: a hard frame limit (CVE fix in 4.2.2 makes it enforceable), no maximum socket age.
DAPHNE_FLAGS ?= --websocket-max-message-size 1048576 --websocket_timeout -1 --ping-interval 20 --ping-timeout 30

.PHONY: help install system-deps frontend frontend-check run test lint typecheck unit test-postgres e2e widget-size screenshots clean

help:
	@echo "make run    - set up and start the demo (server on :$(PORT), demo shop on :$(DEMO_PORT))"
	@echo "make test   - install what is needed and run ruff, mypy --strict, pytest and the e2e suite"

# Installed from the locks (requirements/*.txt, with hashes); `make lock` writes them again from pyproject.toml.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
$(STAMP): pyproject.toml requirements/dev.txt
	@# A fresh Debian/Ubuntu has python3 without its venv module: install it when we can.
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  else echo "Install python3-venv (sudo apt-get install python3-venv)"; exit 1; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

.PHONY: lock
lock:
	@[ -x $(BIN)/pip-compile ] || $(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements/prod.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -o requirements/dev.txt pyproject.toml

install: $(STAMP)

# Debian/Ubuntu packages the tests need: real Redis, PostgreSQL, nginx and Chromium. Installed with apt when root.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing:$$missing (install them, e.g. sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# The widget and console bundles (frontend/, docs/widget.md): dependencies from the lockfile when it
# changed, then a build that fails over the size budgets. The server serves frontend/dist.
FRONTEND_STAMP := frontend/node_modules/.package-lock.json

$(FRONTEND_STAMP): frontend/package-lock.json
	@command -v npm >/dev/null || { echo "Install Node.js and npm (make system-deps)"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The build (esbuild, terser) runs on Node.js 18; the unit tests' vite/vitest need what package.json's
# engines say (Debian bookworm and Ubuntu 24.04 ship 18: `make run` works there, `make test` wants newer).
NODE_AT_LEAST = node -e 'const [a, b] = process.versions.node.split(".").map(Number), [x, y] = "$(1)".split(".").map(Number); if (a < x || (a === x && b < y)) { console.error("$(2) needs Node.js $(1) or newer, not " + process.version); process.exit(1); }'
frontend: $(FRONTEND_STAMP)
	@$(call NODE_AT_LEAST,18.0,building frontend/)
	cd frontend && npm run build -- --check

# TypeScript strict and the vitest unit tests of frontend/.
frontend-check: $(FRONTEND_STAMP)
	@$(call NODE_AT_LEAST,20.19,the frontend unit tests (vite: package.json engines))
	cd frontend && npx tsc --noEmit -p . && npx vitest run

run: $(STAMP) frontend
	@DEBUG=1 $(PY) manage.py migrate --noinput -v 0
	@# Web Push's key pair, made once: the settings read var/vapid/ when the environment sets no keys.
	@DEBUG=1 $(PY) manage.py parley_vapid_keys var/vapid
	@DEBUG=1 $(PY) manage.py parley_demo --host-origin http://localhost:$(DEMO_PORT) --host-origin http://127.0.0.1:$(DEMO_PORT)
	@# The shop stops with the server. (`trap 'kill 0' EXIT` signalled the shell too, whose TERM trap then ran
	@# `kill 0` again and again until bash crashed: make reported a segmentation fault at every stop.)
	@# The task worker (emails to visitors who left: docs/offline.md) stops with the server too.
	@DEBUG=1 $(PY) manage.py serve_demo_host --port $(DEMO_PORT) & shop=$$!; \
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$shop $$worker 2>/dev/null' EXIT; \
	DEBUG=1 $(PY) -m server.serve -b $(HOST) -p $(PORT) $(DAPHNE_FLAGS) server.asgi:application

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy .

unit: $(STAMP) system-deps frontend
	$(BIN)/pytest -q

# The storage tests again, as a pytest session of its own on a throwaway PostgreSQL (tests/postgres_session.py).
POSTGRES_TESTS ?= tests/conversations tests/realtime/test_batching.py tests/realtime/test_agent_inbox.py tests/sites tests/owner \
  tests/security/test_visitor_socket.py tests/security/test_fuzz.py \
  tests/security/test_widget_http.py tests/security/test_identifiers.py tests/security/test_tokens.py \
  tests/realtime/test_offline_sockets.py tests/widget_api/test_resume_links.py
test-postgres: $(STAMP) system-deps
	$(PY) -m tests.postgres_session -q $(POSTGRES_TESTS)

e2e: $(STAMP) system-deps frontend
	$(BIN)/pytest -q e2e

# The build prints each bundle's raw and gzip size against its budget.
widget-size: frontend

test: $(STAMP) system-deps frontend lint frontend-check typecheck audit
	$(BIN)/pytest -q tests e2e
	$(MAKE) --no-print-directory test-postgres

# Known vulnerabilities in the locked dependencies (pip-audit over requirements/, npm audit over
# frontend/package-lock.json, dev dependencies included): a finding fails; an advisory service that cannot
# answer is one line and fails only with PARLEY_AUDIT_REQUIRED=1 (scripts/audit.py).
.PHONY: audit
audit: $(STAMP) $(FRONTEND_STAMP)
	$(PY) -m scripts.audit

screenshots: $(STAMP) system-deps frontend
	PARLEY_SCREENSHOTS=docs/images $(BIN)/pytest -q e2e

# Not part of `make test`: every benchmark, each beside its baseline measured in the same run
# (bench/README.md); figures land in build/bench/*.json, then one table and the charts in docs/images/.
.PHONY: bench bench-report bench-abuse bench-typing bench-inbox
bench: $(STAMP) system-deps frontend
	$(PY) -m bench.widget_weight
	$(PY) -m bench.host_page
	$(PY) -m bench.capacity
	$(PY) -m bench.fanout
	$(PY) -m bench.latency
	$(PY) -m bench.abuse
	$(PY) -m bench.typing
	$(PY) -m bench.inbox
	$(PY) -m bench.report

# Only the abuse figures (about 2 minutes), then the table from whatever build/bench/ holds.
bench-abuse: $(STAMP) system-deps
	$(PY) -m bench.abuse
	$(PY) -m bench.report

# Only the typing figure (about 2 minutes): other visitors' p99 while 500 visitors type.
bench-typing: $(STAMP) system-deps
	$(PY) -m bench.typing

# The inbox on 100,000 conversations and 1,000,000 messages (PostgreSQL): views, counts, search, and
# visitor→agent p99 seeded against empty (bench/inbox.py; about 5 minutes).
bench-inbox: $(STAMP) system-deps
	$(PY) -m bench.inbox

# The table and charts again from the JSON already in build/bench/, measuring nothing.
bench-report: $(STAMP)
	$(PY) -m bench.report
