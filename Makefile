# One entry point. `make run` regenerates every notebook and figure on the embedded
# corpus with the bundled models; `make test` runs every test (unit tests + nbval).
# The environment variables below must hold before Python starts, so they live here,
# not in notebook cells. Kernels get CurveZMQ keys (--KernelManager.transport_encryption=auto,
# jupyter_client 8.10), so Jupyter does not warn that the kernel runs over TCP unencrypted.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TRANSFORMERS_VERBOSITY := error
export TOKENIZERS_PARALLELISM := false
export MPLBACKEND := Agg
export CAMELTOOLS_DATA := $(CURDIR)/data/camel_tools
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: nav sync help install run test unit nbval lint lab notebook analyze train-ner train-ner-e5-dev train-ner-e5 tune-ner-ensemble cv-ner eval-ner eval-sentiment eval-actors eval bench bench-long clean-cache

help:  ## list the commands
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(BIN)/activate-stamp: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 not found: install it, or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@echo "== installing the pinned dependencies into $(VENV) (about 2 GB; a few minutes, longer on a slow connection)"
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (arabic-news)" >/dev/null
	touch $@

install: $(BIN)/activate-stamp  ## create .venv and install the pinned dependencies + helpers (editable)

run: install  ## execute every notebook in order on the embedded corpus; regenerate figures/
	@for nb in $(NOTEBOOKS); do \
	  echo "== $$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	    --KernelManager.transport_encryption=auto "$$nb" || exit 1; \
	done

notebook: install  ## execute one notebook: make notebook NB=notebooks/01_corpus_and_cleaning.ipynb
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	  --KernelManager.transport_encryption=auto "$(NB)"

test: export HF_HUB_OFFLINE := 1
test: install  ## run every test: lint, unit tests and nbval over all notebooks (offline)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/pytest --doctest-modules src/helpers tests
	$(BIN)/pytest --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider $(NOTEBOOKS)

unit: export HF_HUB_OFFLINE := 1
unit: install  ## unit tests only
	$(BIN)/pytest --doctest-modules src/helpers tests

nbval: export HF_HUB_OFFLINE := 1
nbval: install  ## nbval over the committed notebooks only
	$(BIN)/pytest --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider $(NOTEBOOKS)

lint: install  ## ruff
	$(BIN)/ruff check src tests benchmarks scripts

lab: install  ## open JupyterLab on the notebooks (as root too: containers, WSL)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

analyze: install  ## one-command report on your own input: make analyze IN=my_articles/ OUT=out/
	$(BIN)/python -m helpers analyze "$(IN)" --out "$(OUT)"

train-ner: install  ## retrain the bundled NER model from ANERcorp (needs ../shared/data or ARABIC_NEWS_DATA_DIR)
	$(BIN)/python scripts/train_ner.py

train-ner-e5-dev: install  ## dev run of the NER encoder (90% of ANERcorp train, about an hour on 2 cores): chooses the epochs, is the encoder tune-ner-ensemble scores
	$(BIN)/python scripts/train_ner_e5.py --out .cache/e5-dev
	cp .cache/e5-dev/training.json data/models/ner-e5/training-dev.json

.cache/e5-dev/training.json:
	$(MAKE) train-ner-e5-dev

train-ner-e5: install  ## retrain the shipped NER encoder on all of ANERcorp train with the dev run's settings (about an hour on 2 cores) into data/models/ner-e5
	$(BIN)/python scripts/train_ner_e5.py --full --test

tune-ner-ensemble: install .cache/e5-dev/training.json  ## choose how the CRF and the encoder are joined (on the dev part, with members trained without it), write ensemble.json, score the shipped ensemble on test
	$(BIN)/python scripts/train_ner.py --dev --keep .cache/crf-dev
	$(BIN)/python scripts/tune_ner_ensemble.py --crf .cache/crf-dev --encoder .cache/e5-dev --write --test

cv-ner: install  ## 5-fold cross-validation of NER training settings on ANERcorp train: make cv-ner ARGS="--c1 0.02"
	$(BIN)/python scripts/cv_ner.py --jobs 2 -- $(ARGS)

eval-ner: install  ## entity P/R/F1 on the ANERcorp test split: the bundled ensemble, then the CRF alone (profile fast)
	$(BIN)/python -m helpers.eval_ner --profile bundled
	$(BIN)/python -m helpers.eval_ner --profile fast

eval-sentiment: install  ## accuracy / macro-F1 of targeted sentiment and P/R of stance on data/eval/
	$(BIN)/python -m helpers.eval_sentiment --method bundled --no-stance
	$(BIN)/python -m helpers.eval_stance

eval-actors: install  ## actor recall by type, false merges and Libya-id leaks on data/eval/actors_dev.jsonl (dev and held-out)
	$(BIN)/python -m helpers.eval_actors

eval: eval-ner eval-sentiment eval-actors  ## every quality figure

bench: install  ## NER throughput and memory against camel-tools (prints a table)
	$(BIN)/python benchmarks/bench_ner.py

bench-long: install  ## CPU of one 250 KB and one 2.5 MB article through the pipeline (about 10 minutes)
	$(BIN)/python benchmarks/bench_long_article.py

clean-cache:  ## delete cached model outputs (.cache/)
	rm -rf .cache

nav: install  ## rewrite the navigation lines of the notebook sources (notebooks/NN_*.py), then sync
	$(BIN)/python scripts/notebook_nav.py
	$(BIN)/jupytext --sync $(NOTEBOOKS)

sync: install  ## after editing a notebook's .py source (or the .ipynb), bring its pair up to date
	$(BIN)/jupytext --sync $(NOTEBOOKS)
