# The two README commands: `make reproduce` (demo data -> reports/paper.pdf) and `make test`.
# Both create .venv with Python 3.11 and install the project into it on first use.
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
PROFILE ?= demo
DATA    ?=

.PHONY: install reproduce smoke rehearse test test-slow test-cluster export clean-nbs check-sync bench bench-gpu site browser

$(BIN)/.installed: settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"'
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

install: $(BIN)/.installed

## the whole pipeline on the demo data, ending with reports/paper.pdf (PROFILE=paper DATA=/path/to/mimic-cxr-jpg for MIMIC)
reproduce: install
	$(BIN)/cxr-reproduce --profile $(PROFILE) $(if $(DATA),--data $(DATA))

smoke: install
	$(BIN)/cxr-reproduce --profile smoke

## the paper profile rehearsed on a CPU: a MIMIC-sized fixture (or DATA=/path/to/mimic-cxr-jpg, only read) and a
## stand-in model in Llama's folder format -> reports/rehearsal/paper.pdf
rehearse: install
	$(BIN)/cxr-reproduce --profile rehearsal $(if $(DATA),--data $(DATA))

## the test suite: every notebook through nbdev_test, closing with "N passed, N failed"
test: install
	$(BIN)/cxr-test

test-slow: install browser
	$(BIN)/cxr-test --flags "slow" --flagged --n-workers 1

## the smoke profile as jobs of a real single-node SLURM cluster (Debian's slurm-wlm, slurmdbd, munge and MariaDB,
## installed when missing as root), with a cancelled job and a lost runner, against a local run; the daemons are stopped
test-cluster: install
	$(BIN)/cxr-test --flags "cluster" --path 13i_cluster.ipynb

## the executed notebooks of the last run as an offline site (REPORTS=reports/<profile> for another profile)
site: install
	$(BIN)/cxr-site --reports $(or $(REPORTS),reports)

## headless Chromium and its driver from Debian, for the site's browser test (installed when run as root)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	    else echo "browser: Chromium is missing; run: sudo apt-get install chromium chromium-driver"; fi; }

export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

## notebooks and library agree, notebooks are clean (what CI checks)
check-sync: install
	$(BIN)/nbdev_export && git diff --exit-code --stat -- cxr_nb
	$(BIN)/nbdev_clean && git diff --exit-code --stat -- nbs

bench: install
	$(BIN)/python bench/run.py

## on one GPU: the gpu tests, the CNNs' images/s at 224 px, the 11B architecture's QLoRA step and generation
bench-gpu: install
	$(BIN)/python bench/gpu.py
