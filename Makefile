# Every target does its own set-up: a fresh machine needs only Python 3.11, pip, git and apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
RUNTIME_LOCK := requirements-runtime.lock
BUILD_LOCK := requirements-build.lock
HA_VENV := .venv-ha
HA_STAMP := $(HA_VENV)/.installed-stamp

.PHONY: run test lint typecheck unit postgres-server knx-lua-tools mosquitto home-assistant browser bench wheel lock clean \
	podman image image-test

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

unit: $(STAMP) postgres-server knx-lua-tools mosquitto browser $(HA_STAMP)
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

# The MQTT tests start a private mosquitto (Debian's package); mosquitto-clients brings
# mosquitto_sub and mosquitto_pub, which `demo --mqtt` suggests for watching the topics.
# Install them once (root, as in CI).
mosquitto:
	@(dpkg -s mosquitto && dpkg -s mosquitto-clients) >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients >/dev/null; \
	else \
		echo "mosquitto or mosquitto-clients not installed: without mosquitto, MQTT tests will be skipped"; \
	fi

# The Home Assistant test runs the real Home Assistant (2024.3.3, the newest for Python 3.11)
# against the bridge's MQTT discovery; it lives in its own virtual environment (its pins clash
# with ours). `make home-assistant` makes it; tests/home_assistant skips without it.
# The pins (manifest.json) of the integrations the test configures, installed up front; Home
# Assistant installs what its core integrations need (frontend...) itself at its first start.
HA_INTEGRATION_PINS := paho-mqtt==1.6.1 aiohttp_cors==0.7.0 aiohttp-fast-url-dispatcher==0.3.0 \
	aiohttp-zlib-ng==0.3.1 jsonpath==0.82.2 xmltodict==0.13.0 janus==1.0.0
$(HA_STAMP):
	$(PYTHON) -m venv $(HA_VENV)
	$(HA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(HA_VENV)/bin/python -m pip install --quiet 'homeassistant==2024.3.3' 'josepy<2' $(HA_INTEGRATION_PINS)
	touch $@

home-assistant: $(HA_STAMP)

## make wheel: dist/ttlock_bridge-<version>-py3-none-any.whl, for `pipx install`
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

bench: $(STAMP) mosquitto
	$(BIN)/python -m bench

## make lock: re-pin every dependency (needs network to PyPI); the container image's runtime
## set and build backend are pinned from the same versions (Containerfile)
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --quiet --output-file $(LOCK)
	$(PYTHON) -m uv pip compile pyproject.toml --constraint $(LOCK) --generate-hashes \
		--python-version 3.11 --quiet --output-file $(RUNTIME_LOCK)
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		| $(PYTHON) -m uv pip compile - --constraint $(LOCK) --generate-hashes \
		--python-version 3.11 --quiet --output-file $(BUILD_LOCK)

# The container image (docs/docker.md) is built and run with Debian's podman: the packages once
# (root, as in CI), contrib/podman/containers.conf for this kind of machine.
PODMAN_PACKAGES := podman debootstrap runc slirp4netns uidmap
podman:
	@dpkg -s $(PODMAN_PACKAGES) >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PODMAN_PACKAGES) >/dev/null; \
	else \
		echo "podman/debootstrap not installed: make image needs them (apt-get install $(PODMAN_PACKAGES))"; \
	fi

## make image: the container image localhost/ttlock-bridge (its Debian base built first if missing)
image: podman
	contrib/podman/image.sh

## make image-test: build the image, run the demo and serve from it, check /healthz and a grant
image-test: podman
	contrib/podman/image-test.sh

clean:
	rm -rf $(VENV) $(HA_VENV) dist .mypy_cache .pytest_cache .ruff_cache
