# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench bench-quick clean install lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The test environment comes from the pinned lock (reproducible CI), then the project without deps.
$(TEST_STAMP): pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/faktabot init --if-missing
	$(BIN)/faktabot run

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# ARGS: --quick, or module names (bench_refresh bench_scale) to run only those.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

# The lot in under a minute: fewer repetitions and smaller stores, to see that nothing broke.
bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick $(ARGS)

# Re-pin the test environment from pyproject.toml's ranges, in a scratch venv. --all: setuptools too
# (a test needs it; venvs from Python 3.12 on no longer bring it).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip && .lock-venv/bin/pip install --quiet '.[test]'
	{ echo "# The test environment, pinned for reproducible CI: pip freeze of '.[test]' on Python 3.11."; \
	  echo "# Regenerate after changing dependencies: make lock"; \
	  .lock-venv/bin/pip freeze --all --exclude pip --exclude faktabot; } > requirements-test.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build *.egg-info
