# Two commands matter: `make demo` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.negsim-installed

# The first interpreter >= 3.12 found: python3.12, python3.13, python3, then pyenv's builds.
PYTHON ?= $(shell for p in python3.12 python3.13 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

.PHONY: demo test bench schema mutants golden experiments clean help

help:
	@echo "make demo    set up .venv if needed; validate the baseline, run it 100,000 times (summary"
	@echo "             and figures in results/baseline/); evidence and a trace in results/*.txt"
	@echo "make test    set up .venv if needed, then run the whole test suite"
	@echo "make bench   both engines on the baseline; writes results/bench.json (~12 min)"
	@echo "make schema  regenerate scenarios/scenario.schema.json from the models"
	@echo "make mutants break each model rule on purpose and check its test notices (~12 min, 96 mutants)"
	@echo "make golden  rewrite the golden summaries of every scenario (tests/golden/), on purpose"
	@echo "make experiments  run every experiment; reports and figures in experiments/out/"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "negsim needs Python >= 3.12 (none found; set PYTHON=...)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The long listings go to files (written whole, then renamed), so the output fits a screen.
demo: $(STAMP)
	@$(BIN)/negsim validate scenarios/baseline.yaml
	@mkdir -p results
	@$(BIN)/negsim evidence scenarios/baseline.yaml > results/.evidence.tmp \
		&& mv results/.evidence.tmp results/baseline-evidence.txt
	@$(BIN)/negsim trace scenarios/baseline.yaml --run 0 --seed 1 \
		> results/.trace.tmp && mv results/.trace.tmp results/baseline-trace.txt
	@$(BIN)/negsim run scenarios/baseline.yaml -n 100000 --seed 1
	@echo "figures: results/baseline/figures/*.png (agreement, deals, rounds, utilities)"
	@echo "the quote or assumption behind every number: results/baseline-evidence.txt"
	@echo "one negotiation round by round: results/baseline-trace.txt"
	@echo "  (negsim evidence|trace scenarios/baseline.yaml print them; see README.md)"

test: $(STAMP)
	$(BIN)/ruff check negsim tests experiments
	$(BIN)/python -m pytest

schema: $(STAMP)
	$(BIN)/negsim schema --out scenarios/scenario.schema.json

bench: $(STAMP)
	$(BIN)/python -m negsim.bench

mutants: $(STAMP)
	$(BIN)/python -m tests.mutants

golden: $(STAMP)
	$(BIN)/python -m tests.golden

experiments: $(STAMP)
	$(BIN)/python -m experiments

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
