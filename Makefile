# One virtual environment under .venv, made from this project's own files.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test bench notebooks site schema docs clean redis-server

report: $(STAMP)          ## replay the whole catalogue on every ready target and write report/
	$(BIN)/harness run scenarios --out report

test: $(STAMP)            ## run the whole test suite (what CI runs): on the newest SDK, then on the lowest
	$(BIN)/python -m pytest -n 2
	$(BIN)/nox --session lowest_sdk_tests -- -n 2

bench: $(STAMP)           ## print throughput, fixed costs, and each ratio next to its goal (several minutes)
	$(BIN)/python benchmarks/bench_sink.py
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_explore.py
	$(BIN)/python benchmarks/bench_drivers.py
	$(BIN)/python benchmarks/bench_releases.py
	$(BIN)/python benchmarks/bench_python_releases.py
	$(BIN)/python benchmarks/bench_matrix.py
	$(BIN)/python benchmarks/bench_redis.py
	cd benchmarks && ../$(BIN)/python bench_views.py

notebooks: $(STAMP)       ## open the teaching notebooks in JupyterLab
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	$(BIN)/jupyter lab notebooks/

site: $(STAMP)            ## build the docs site into site/: the README, docs/, the notebooks executed, the API reference
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@echo "open site/index.html (no server needed)"

schema: $(STAMP)         ## rewrite harness/vocabulary/scenario.schema.json from the step registry
	$(BIN)/python -c "from harness.vocabulary.schema import main; main()"

docs: $(STAMP)           ## rewrite docs/differences.md's table, and docs/releases.md from the catalogue on every release
	$(BIN)/python -c "from harness.runs.known import write_docs; write_docs()"
	$(BIN)/python -m harness.runs.release_notes --out docs/releases.md scenarios

# One line a phase; pip's own output goes to $(VENV)/install.log and is shown only if it fails.
$(STAMP): pyproject.toml setup.py
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=python3)"; exit 1; }
	@echo "set-up 1/3: a virtual environment in $(VENV) ($(PYTHON))"
	@$(PYTHON) -m venv $(VENV)
	@echo "set-up 2/3: a current pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@echo "set-up 3/3: the kit and its tools (about a minute the first time; see $(VENV)/install.log)"
	@$(BIN)/python -m pip install --quiet -e '.[dev]' >> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@command -v redis-server >/dev/null 2>&1 || echo "note: no redis-server here: the Redis scenarios are skipped until you 'make redis-server' (as root)"
	@touch $@

redis-server:            ## install redis-server for the Redis scenarios (Debian's package; run as root; .ci/run does this)
	@command -v redis-server >/dev/null 2>&1 && echo "redis-server is here: $$(command -v redis-server)" || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

clean:
	rm -rf $(VENV) .nox report site .pytest_cache
