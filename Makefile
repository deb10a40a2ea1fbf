# Two commands on a fresh clone: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test test-fast lab weights figures bench strip clean

# Stamp files: re-install only when a requirements file changes.
$(VENV)/.run-installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

## make run: install, then execute the notebook series headless into build/ (real weights if present, else demo)
run: $(VENV)/.run-installed
	$(PY) scripts/run_all.py --out build

## make test: install with dev requirements, then run the whole test suite (what CI runs)
test: $(VENV)/.dev-installed
	$(PY) -m pytest

## make test-fast: the model, checkpoints and command-line tests without the slow ones (notebooks, benchmark,
## figure export, full-size shapes): the inner loop while changing the code
test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest -m "not slow"

## make lab: open the notebooks in JupyterLab
lab: $(VENV)/.run-installed
	$(VENV)/bin/jupyter lab notebooks/

## make weights: download the real Llama-3.2-1B-Instruct original/ files (ModelScope)
weights: $(VENV)/.run-installed
	$(PY) -m llama_scratch download

## make figures: attention and RoPE figures into build/figures
figures: $(VENV)/.run-installed
	$(PY) -m llama_scratch figures --out build/figures

## make bench: benchmark against Hugging Face transformers (full 1B shape; generates the demo checkpoint)
bench: $(VENV)/.dev-installed
	$(PY) -m llama_scratch bench

## make strip: remove outputs from the notebooks before committing
strip: $(VENV)/.run-installed
	$(PY) scripts/strip_notebooks.py notebooks/*.ipynb

clean:
	rm -rf build .pytest_cache
