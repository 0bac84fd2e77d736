# Two commands from a fresh clone: `make run` and `make test`.
# Both create .venv when needed and install the pinned dependencies once.
# The warehouse: `make run WAREHOUSE=path`, else $NEWSETL_WAREHOUSE, else warehouse/newsetl.duckdb.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
# A first start of Prefect's temporary server builds its database: 19-31 s on a busy
# 2-core machine, past Prefect's default wait of 20 s.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: run test fuzz lint eval bench bench-writer bench-growth lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsetl backfill seeds $(if $(WAREHOUSE),--warehouse $(WAREHOUSE))

test: $(STAMP)
	$(BIN)/python -m pytest

# The robustness test, deeper: every gold page, and ROUNDS x 60 mutated pages per mutation
# (`make test` runs a fixed sample); SEED=N draws other cases. Needs ../shared/eval.
fuzz: $(STAMP)
	NEWSETL_FUZZ_ROUNDS=$(or $(ROUNDS),$(NEWSETL_FUZZ_ROUNDS),3) $(if $(SEED),NEWSETL_FUZZ_SEED=$(SEED)) $(BIN)/python -m pytest -q tests/test_robustness.py

lint: $(STAMP)
	$(BIN)/ruff check src flows tests bench

eval: $(STAMP)
	$(BIN)/python bench/eval
	$(BIN)/python bench/enrich_eval.py

bench: $(STAMP)
	$(BIN)/python bench/scale.py $(if $(PAGES),--pages $(PAGES)) $(if $(ROUNDS),--rounds $(ROUNDS))

# The load path's ceiling without extraction (pre-built rows), one DuckDB file, one writer.
bench-writer: $(STAMP)
	$(BIN)/python bench/writer_ceiling.py $(if $(ARTICLES),--articles $(ARTICLES))

# An incremental run of 1,000 pages, search and views at each warehouse size (issue 19);
# SIZES="10000 100000" for fewer, DIR=... to keep (and grow further) the warehouse, ROUNDS=N
# incremental runs at each size (3), each beside one on the smallest size.
bench-growth: $(STAMP)
	$(BIN)/python bench/growth.py --sizes $(or $(SIZES),10000 100000 1000000) $(if $(DIR),--dir $(DIR)) $(if $(ROUNDS),--rounds $(ROUNDS))

# Re-pin requirements.lock after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/newsetl-lock && $(PYTHON) -m venv /tmp/newsetl-lock
	/tmp/newsetl-lock/bin/python -m pip install -q -e '.[dev]'
	/tmp/newsetl-lock/bin/python -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) .prefect .pytest_cache
