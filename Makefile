# The two set-up commands of the README live here so that a fresh machine needs nothing but python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install browser clean

$(BIN)/signalboost: pyproject.toml
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
