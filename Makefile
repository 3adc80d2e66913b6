# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Apache Kafka's jars for the integration tests and the bench (version: deploy/kafka/pom.xml).
KAFKA  := deploy/kafka
MVN    ?= mvn

.PHONY: demo test lint unit integration bench kafka clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(KAFKA)/libs/.fetched: $(KAFKA)/pom.xml
	rm -rf $(KAFKA)/libs
	$(MVN) -q -B -f $(KAFKA)/pom.xml dependency:copy-dependencies
	touch $@

kafka: $(KAFKA)/libs/.fetched  ## fetch Apache Kafka's jars from Maven Central (JDK 17 and Maven)

demo: $(VENV)/.installed  ## install, start the embedded broker and the worker, replay the sample
	$(BIN)/news-worker run --demo

test: $(VENV)/.installed $(KAFKA)/libs/.fetched  ## install and run lint plus the whole test suite (what CI runs)
	$(BIN)/ruff check worker tests bench
	$(BIN)/ruff format --check worker tests bench
	$(BIN)/python -m pytest -q

unit: $(VENV)/.installed
	$(BIN)/python -m pytest -q tests/unit

integration: $(VENV)/.installed $(KAFKA)/libs/.fetched
	$(BIN)/python -m pytest -q tests/integration

bench: $(VENV)/.installed $(KAFKA)/libs/.fetched  ## every benchmark in one table (about 6 minutes; SIZE=2 for longer)
	$(BIN)/python -m bench --size $(or $(SIZE),1)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(KAFKA)/libs
