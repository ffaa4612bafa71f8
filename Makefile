# The two set-up commands of the README live here so that a fresh machine needs nothing but python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install clean

$(BIN)/signalboost: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/signalboost

demo: install
	$(BIN)/signalboost demo --out demo-case

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) demo-case .pytest_cache
