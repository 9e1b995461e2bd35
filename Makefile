# Every target does its own set-up: a fresh machine needs only Python 3.11, pip, git and apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock

.PHONY: run test lint typecheck unit postgres-server knx-lua-tools browser bench lock clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

## make run: try the bridge on the built-in simulated hotel (ttlock-bridge demo)
run: $(STAMP)
	$(BIN)/ttlock-bridge demo

## make test: lint, type-check and run every test (includes the schemathesis run against the API)
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) postgres-server knx-lua-tools browser
	$(BIN)/pytest

# The store tests start a private PostgreSQL server; install its binaries once (root, as in CI).
postgres-server:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL server not installed: store tests on PostgreSQL will be skipped"; \
	fi

# The KNX tests start a private knxd; the LogicMachine library's test runs Lua 5.1 with
# LuaSocket and cjson. Install them once (root, as in CI).
KNX_LUA_PACKAGES := knxd lua5.1 lua-socket lua-cjson
knx-lua-tools:
	@dpkg -s $(KNX_LUA_PACKAGES) >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(KNX_LUA_PACKAGES) >/dev/null; \
	else \
		echo "knxd/lua5.1 not installed: KNX and LogicMachine-library tests will be skipped"; \
	fi

# The console's browser tests drive Debian's chromium with Playwright (Playwright's own browser
# download cannot work on these machines). Install it once (root, as in CI).
browser:
	@test -x /usr/bin/chromium || \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium not installed: the console's browser tests will be skipped"; \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench

## make lock: re-pin every dependency (needs network to PyPI)
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --quiet --output-file $(LOCK)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
