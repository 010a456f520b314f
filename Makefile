# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/egov_test
export FLASK_APP := egov

.PHONY: install run demo test test-sqlite test-postgres clean bench

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/flask prepare-demo

run: demo
	$(BIN)/flask run --port $(PORT)

# The whole suite on SQLite, then on PostgreSQL when a server answers at TEST_POSTGRES_URL.
test: install
	$(BIN)/python -m pytest -q
	@if $(BIN)/python -m tests.pg_available "$(TEST_POSTGRES_URL)"; then \
		echo "--- the suite again on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest -q; \
	else \
		echo "--- PostgreSQL not reachable at $(TEST_POSTGRES_URL): suite ran on SQLite only"; \
		if [ -n "$$REQUIRE_POSTGRES" ]; then exit 1; fi; \
	fi

test-sqlite: install
	$(BIN)/python -m pytest -q

test-postgres: install
	TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) instance .pytest_cache

# Ratios at national scale (README, "Performance"): BENCH_CALLS=100000 for a quick run,
# BENCH_DATABASE_URL=postgresql://… for PostgreSQL. wrk comes from Debian when missing.
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk not installed: the bench uses its own Python client"
	$(BIN)/python bench/scale_bench.py
