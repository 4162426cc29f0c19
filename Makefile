# Two commands do all the set-up: `make report` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?=

.PHONY: report test lint typecheck clean venv benchmark data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

report: $(STAMP)
	$(BIN)/python -m analysis build $(if $(JOBS),--jobs $(JOBS),)

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

data: $(STAMP)
	$(BIN)/python -m analysis generate

benchmark: $(STAMP)
	$(BIN)/python benchmarks/build_benchmark.py

clean:
	rm -rf outputs/* .pytest_cache .mypy_cache .ruff_cache
	git checkout -- outputs/README.md
