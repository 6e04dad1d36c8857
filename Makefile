# One target per verb; the README names `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= data/wijkmonitor.duckdb
# pytest-xdist workers for `make test` (the CI machine has two cores); `make test WORKERS=0` runs in one process
WORKERS ?= 2

.PHONY: run demo serve test lint format bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python                ## runtime dependencies + the wijkmonitor command
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python           ## runtime + test dependencies
	$(BIN)/pip install --quiet -e ".[test]"

run: install demo serve               ## build the demo database and serve the dashboard on :8501

demo: install
	$(BIN)/wijkmonitor demo --db $(DB)

serve:
	$(BIN)/wijkmonitor serve --db $(DB)

test: install-test                    ## lint, layer contracts and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install-test                   ## benchmarks (print figures; never part of the tests; ~30 min)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_indicators.py
	$(BIN)/python benchmarks/bench_indelingen.py
	$(BIN)/python benchmarks/bench_pages.py
	$(BIN)/python benchmarks/bench_hostile.py
	$(BIN)/python benchmarks/bench_records.py
	$(BIN)/python benchmarks/bench_documents.py
	$(BIN)/python benchmarks/bench_hotspot_calibration.py
	$(BIN)/python benchmarks/calibration.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(DB) $(DB).laadpogingen*.jsonl data/raw
