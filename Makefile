# Two commands do all the set-up: `make report` and `make test`; `make lab` opens the notebooks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?=
# pytest-xdist workers for `make test` (whole test files to a worker, in the order
# tests/conftest.py gives them; shared builds made once)
TEST_JOBS ?= 2

.PHONY: report test lint typecheck clean venv benchmark data lab

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -c "from analysis.pipeline.engine import ensure_kernelspec; ensure_kernelspec()"
	touch $(STAMP)

venv: $(STAMP)

report: $(STAMP)
	$(BIN)/python -m analysis build $(if $(JOBS),--jobs $(JOBS),)

lab: $(STAMP)
	$(BIN)/python -m analysis lab $(LABFLAGS)

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder

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
