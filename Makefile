# caisse — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint audit bench clean lock

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/pip || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "cannot create a virtual environment: on Debian/Ubuntu run 'apt-get install python3-venv'" >&2; exit 1; }; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Build a demo fund in SQLite (./var/demo.sqlite) and serve it on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/caisse demo $(DEMO_ARGS)

## Lint (ruff, bandit — the same bandit as CI's `make audit`), then run the whole suite, on SQLite and on a real PostgreSQL (found or started by tests/conftest.py)
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/bandit -q -c pyproject.toml -r src
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## Security audits: known vulnerabilities in the locked dependencies (requirements.lock; pip-audit; a loud warning, not a
## failure, when the advisory service cannot be reached) and bandit on the code (skips justified in pyproject)
audit: $(STAMP)
	$(BIN)/python -m caisse.security.dependency_audit
	$(BIN)/bandit -q -c pyproject.toml -r src

## Re-pin requirements.lock to what is installed (after a change of dependencies in pyproject.toml)
lock: $(STAMP)
	{ head -2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/bandit -q -c pyproject.toml -r src

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
