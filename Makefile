# Two commands do all the set-up: `make report` and `make test`; `make lab` opens the notebooks.
# Both install exactly the locked versions, every file checked against its hash: `make report`
# requirements/runtime.txt, `make test` requirements/test.txt (the same versions plus the test
# tools); `make lock` rewrites both from pyproject.toml (`make lock UPGRADE=1`: newest releases).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_LOCK := requirements/runtime.txt
TEST_LOCK := requirements/test.txt
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
JOBS ?=
# pytest-xdist workers for `make test` (whole test files to a worker, in the order
# tests/conftest.py gives them; shared builds made once)
TEST_JOBS ?= 2

.PHONY: report test lint typecheck clean venv benchmark data lab lock

# $(1): the lock to install; then the package itself, with no dependency of its own and its
# build backend taken from the lock (no download outside it), and its Jupyter kernel. An
# iaow_analysis.egg-info left by an older install would shadow the installed metadata.
define install_locked
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	rm -rf iaow_analysis.egg-info
	$(BIN)/python requirements/lock.py --check-interpreter
	$(BIN)/python -m pip install --quiet --require-hashes -r $(1)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -c "from analysis.pipeline.engine import ensure_kernelspec; ensure_kernelspec()"
endef

$(RUNTIME): pyproject.toml $(RUNTIME_LOCK)
	$(call install_locked,$(RUNTIME_LOCK))
	touch $@

# The test lock holds every runtime pin at the same version, so it installs the runtime set too.
$(TESTING): pyproject.toml $(RUNTIME_LOCK) $(TEST_LOCK)
	$(call install_locked,$(TEST_LOCK))
	touch $(RUNTIME) $@

venv: $(TESTING)

report: $(RUNTIME)
	$(BIN)/python -m analysis build $(if $(JOBS),--jobs $(JOBS),)

lab: $(RUNTIME)
	$(BIN)/python -m analysis lab $(LABFLAGS)

test: $(TESTING) lint typecheck
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder

lint: $(TESTING)
	$(BIN)/ruff check analysis tests benchmarks requirements
	$(BIN)/lint-imports

typecheck: $(TESTING)
	$(BIN)/mypy

data: $(RUNTIME)
	$(BIN)/python -m analysis generate

benchmark: $(RUNTIME)
	$(BIN)/python benchmarks/build_benchmark.py $(BENCHFLAGS)

# Rewrite the locks from pyproject.toml with uv (installed into .venv from pyproject.toml's
# `lock` extra when missing): pins are kept unless pyproject.toml needs others; UPGRADE=1 moves
# every pin to the newest release allowed. Needs PyPI.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python requirements/lock.py $(if $(UPGRADE),--upgrade,)

clean:
	rm -rf outputs/* .pytest_cache .mypy_cache .ruff_cache
	git checkout -- outputs/README.md
