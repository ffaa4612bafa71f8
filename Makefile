# The two set-up commands of the README live here so that a fresh machine needs nothing but python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install browser simdjson clean

# The compiled JSON fast path (src/signalboost/ingest/_fastjson.cpp) builds against Debian's simdjson; as root
# (CI) it is installed when missing, otherwise the readers take the slower pure-Python path.
simdjson:
	@test -f /usr/include/simdjson.h || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsimdjson-dev g++ >/dev/null; \
	  else echo "simdjson not found: 'sudo apt-get install libsimdjson-dev' enables the compiled JSON fast path"; fi; }

$(BIN)/signalboost: pyproject.toml setup.py src/signalboost/ingest/_fastjson.cpp | simdjson
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/signalboost

demo: install
	$(BIN)/signalboost demo --out demo-case

# The offline-view test drives Debian's chromium; as root (CI) it is installed when missing, otherwise that one
# test skips and says how to install it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not found: 'sudo apt-get install chromium' enables the browser test"; fi; }

test: install browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) demo-case .pytest_cache
