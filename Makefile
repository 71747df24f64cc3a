# One command to run, one to test. Both bootstrap .venv from a Python >= 3.12 found by
# scripts/find-python.sh (PATH first, then pyenv's versions).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Webhook URLs point where `make run` listens; on 0.0.0.0 no address is right for
# everyone, so pages then show the one they were served on.
PUBLIC_BASE_URL ?= $(if $(filter 0.0.0.0 ::,$(HOST)),,http://$(HOST):$(PORT))

.PHONY: run test test-fast lint format bench migrations-check install fakes

$(STAMP): pyproject.toml
	@PYTHON=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; "$$PYTHON" -m venv $(VENV) || exit 1; fi
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# Exported, not a prefix on the command: a prefix makes make start a shell, which dies
# of the Ctrl-C meant for the devserver and makes make report an error.
run: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
run: $(STAMP)
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@$(PY) manage.py devserver --host $(HOST) --port $(PORT)

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

# For development, in under 3 minutes: leaves out the browser journeys (tests/browser), the
# fault tests (tests/faults: real workers, gunicorn, restarts), the load test (tests/load)
# and the slowest of the rest (SLOW in tests/conftest.py). `make test` (CI) runs them all.
test-fast: $(STAMP)
	@$(PY) -m pytest -m "not slow and not faults and not load and not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

migrations-check: $(STAMP)
	@$(PY) manage.py makemigrations --check --dry-run

# Every bench at sizes that finish in ~15 minutes on 2 cores (full sizes: docs/SCALING.md);
# BENCH_DATABASE_URL=postgres://... runs them on PostgreSQL. A failing bench does not stop
# the others; the summary table is printed either way and make fails afterwards.
bench: $(STAMP)
	@failed=""; for f in bench/bench_*.py; do echo "== $$f"; \
		$(PY) "$$f" || failed="$$failed $$f"; done; \
	echo "== summary"; $(PY) bench/summary.py; \
	if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

fakes: $(STAMP)
	@$(PY) -m tests.fakes --help
