# Two commands on a fresh clone: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test test-fast html lab weights trained figures bench strip clean

# The trained demo checkpoint; its marker is written last, so the file means a complete one.
TRAINED := weights/demo-trained/original/trained_checkpoint.json

# Stamp files: re-install only when a requirements file changes.
$(VENV)/.run-installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

## make run: install, build the trained demo if missing, then execute the notebook series headless into build/:
## both editions and their solutions (build/notebooks/, build/notebooks/zh/), each also as an offline HTML handout
## (real weights if present, else the trained demo)
run: $(VENV)/.run-installed $(TRAINED)
	$(PY) scripts/run_all.py --out build

## make test: install with dev requirements, build the trained demo if missing (the notebooks run on it and the
## tests measure what it learned), then run the whole test suite (what CI runs)
test: $(VENV)/.dev-installed $(TRAINED)
	$(PY) -m pytest

## make test-fast: the model, checkpoints and command-line tests without the slow ones (notebooks, benchmark,
## figure export, full-size shapes): the inner loop while changing the code
test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest -m "not slow"

## make html: the self-contained HTML handouts (outputs included, open offline), as make run writes them
html: run
	@echo "HTML handouts: build/notebooks/*.html and build/notebooks/zh/*.html (solutions: */solutions/)"

## make lab: open the notebooks in JupyterLab: the English series in notebooks/, the Chinese one in notebooks/zh/
lab: $(VENV)/.run-installed $(TRAINED)
	$(VENV)/bin/jupyter lab notebooks/

## make weights: download the real Llama-3.2-1B-Instruct original/ files (ModelScope)
weights: $(VENV)/.run-installed
	$(PY) -m llama_scratch download

## make trained: train the tiny Llama on the CPU (a few minutes) into weights/demo-trained/original (again)
trained: $(VENV)/.run-installed
	$(PY) -m llama_scratch train

$(TRAINED): | $(VENV)/.run-installed
	$(PY) -m llama_scratch train

## make figures: attention and RoPE figures into build/figures
figures: $(VENV)/.run-installed
	$(PY) -m llama_scratch figures --out build/figures

## make bench: benchmark against Hugging Face transformers (full 1B shape; generates the demo checkpoint)
bench: $(VENV)/.dev-installed
	$(PY) -m llama_scratch bench

## make strip: remove outputs from the notebooks before committing
strip: $(VENV)/.run-installed
	$(PY) scripts/strip_notebooks.py notebooks/*.ipynb notebooks/solutions/*.ipynb notebooks/zh/*.ipynb \
		notebooks/zh/solutions/*.ipynb

clean:
	rm -rf build .pytest_cache
