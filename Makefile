# Every target builds its own environment, so a fresh machine needs only python3 (3.11+).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install notebooks bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/dulun demo

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -rs

bench: $(STAMP)
	$(BIN)/python -m bench

notebooks: $(STAMP)
	$(BIN)/pip install --quiet -e '.[notebooks]'
	$(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir notebooks

clean:
	rm -rf $(VENV) data build *.egg-info
