# One command to run, one to test. Both bootstrap .venv from a Python >= 3.12 found by
# scripts/find-python.sh (PATH first, then pyenv's versions).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench migrations-check install fakes

$(STAMP): pyproject.toml
	@PYTHON=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; "$$PYTHON" -m venv $(VENV) || exit 1; fi
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@$(PY) manage.py devserver --host $(HOST) --port $(PORT)

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

migrations-check: $(STAMP)
	@$(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	@for f in bench/bench_*.py; do [ -e "$$f" ] && $(PY) "$$f"; done; true

fakes: $(STAMP)
	@$(PY) -m tests.fakes --help
