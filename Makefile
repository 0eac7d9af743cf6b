# Two commands a new user needs: `make run` and `make test`. Both create the environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Prefect keeps its local state (SQLite, logs) in the project, not in the user's home.
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: install run test bench explore curated-published train lock clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

run: install
	$(BIN)/ingest run --raw raw --curated curated

# The whole suite, one pytest worker per core (pytest-xdist; each worker has a Prefect home of its
# own, tests/conftest.py). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

bench: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/dedup_cost.py

# Run notebooks/explore.ipynb on curated/ (after `make run`): writes notebooks/explore.out.ipynb
# with its tables and section_coverage.png with its chart.
CURATED ?= curated
explore: curated-published install
	cd notebooks && INGEST_CURATED=$(abspath $(CURATED)) MPLBACKEND=Agg ../$(BIN)/python -c "import nbformat; from nbclient import NotebookClient; nb = nbformat.read('explore.ipynb', 4); NotebookClient(nb, timeout=300, kernel_name='python3').execute(); nbformat.write(nb, 'explore.out.ipynb')"
	@echo "chart: section_coverage.png; executed notebook: notebooks/explore.out.ipynb"

# Checked before anything is installed or run: a published snapshot to explore.
curated-published:
	@test -e $(CURATED)/_current || { echo "no curated tables in $(CURATED)/ yet: run \`make run\` first"; exit 2; }

# Retrain the boilerplate model (src/ingest/stages/line_model.json) from the labelled sets, the real
# pages beside the repository included (docs/cleaning.md); LOSO=1 prints leave-one-site-out
# figures through the production runner instead of writing the model.
REALPAGES ?= ../shared/realpages
LABELLED := tests/labelled tests/heldout tests/heldout2 tests/heldout3 tests/heldout4 tests/heldout5
train: install
	$(BIN)/python -m ingest.learn $(REALPAGES) $(LABELLED) $(if $(LOSO),--loso-runs $(REALPAGES))

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^ingest' > requirements.lock

clean:
	rm -rf $(VENV) curated .prefect .pytest_cache .hypothesis
