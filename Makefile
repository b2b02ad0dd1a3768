# Two commands matter: `make demo` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.negsim-installed

# The first interpreter >= 3.12 found: python3.12, python3.13, python3, then pyenv's builds.
PYTHON ?= $(shell for p in python3.12 python3.13 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

.PHONY: demo test browser serve bench schema mutants golden experiments clean help

help:
	@echo "make demo    set up .venv if needed; validate the baseline, run it 100,000 times (summary"
	@echo "             and figures in results/baseline/); evidence and a trace in results/*.txt"
	@echo "make test    set up .venv if needed, then run the whole test suite (installs Debian's"
	@echo "             chromium for the browser tests when missing and run as root)"
	@echo "make serve   the web page on http://127.0.0.1:8765/ (Ctrl-C stops)"
	@echo "make bench   the three engines on the baseline, and a scaling table; results/bench.json (~12 min)"
	@echo "make schema  regenerate scenarios/scenario.schema.json from the models"
	@echo "make mutants break each model rule on purpose and check its test notices (~20 min, 118 mutants)"
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
	@echo "the web page (step a negotiation, move the sliders): make serve, or"
	@echo "  .venv/bin/negsim serve, then open http://127.0.0.1:8765/"

test: $(STAMP) browser
	$(BIN)/ruff check negsim tests experiments
	$(BIN)/python -m pytest

# The browser tests drive Debian's chromium through Playwright (no browser download). Install
# it when it is missing and this is a Debian machine we are root on; otherwise say that the
# browser tests will be skipped (CI sets NEGSIM_REQUIRE_BROWSER=1, which fails them instead).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests (apt-get, once)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	      >/dev/null; } || echo "could not install chromium: the browser tests will be skipped" >&2; \
	  else \
	    echo "chromium is missing and cannot be installed here (needs root and apt-get):" \
	      "the browser tests will be skipped (apt-get install chromium)" >&2; \
	  fi; }

serve: $(STAMP)
	$(BIN)/negsim serve

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
