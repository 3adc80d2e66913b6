# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint unit integration bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed  ## install, start the embedded broker and the worker, replay the sample
	$(BIN)/news-worker run --demo

test: $(VENV)/.installed  ## install and run lint plus the whole test suite (what CI runs)
	$(BIN)/ruff check worker tests bench
	$(BIN)/ruff format --check worker tests bench
	$(BIN)/python -m pytest -q

unit: $(VENV)/.installed
	$(BIN)/python -m pytest -q tests/unit

integration: $(VENV)/.installed
	$(BIN)/python -m pytest -q tests/integration

bench: $(VENV)/.installed  ## every benchmark in one table (about 6 minutes; SIZE=2 for longer)
	$(BIN)/python -m bench --size $(or $(SIZE),1)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
