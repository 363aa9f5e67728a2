# Two commands on a fresh machine (only python3 needed):
#   make run    set up .venv and start the bot in the terminal (bundled corpus, no token)
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test eval bench telegram clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/uccn-bot repl

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

eval: $(STAMP)
	$(BIN)/uccn-bot eval

telegram: $(STAMP)
	$(BIN)/uccn-bot telegram --config config.yaml

bench: $(STAMP)
	$(BIN)/python bench/bench_retrieval.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
