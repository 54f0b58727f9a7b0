# policykg: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install dev build serve lint bench clean system-deps virtuoso

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

build: install
	$(BIN)/policykg build data/corpus --store $(STORE)

serve: install
	$(BIN)/policykg serve --store $(STORE) --host $(HOST) --port $(PORT)

## make run: fresh machine -> .venv, install, build the sample graph, serve on 127.0.0.1:8000
run: build serve

## make test: fresh machine -> .venv with dev extras, Debian test tools, run the test suite
test: dev system-deps
	$(BIN)/pytest

system-deps:
	bash .ci/system-deps

## make virtuoso: a local Virtuoso on 127.0.0.1:$(VIRTUOSO_PORT) (data in var/virtuoso) for
## `policykg build data/corpus --store 'sparql+http://127.0.0.1:$(VIRTUOSO_PORT)/sparql?gsp=/sparql-graph-crud'`
VIRTUOSO_PORT ?= 8890
virtuoso: install
	$(BIN)/python tests/virtuoso_support.py --dir var/virtuoso --http-port $(VIRTUOSO_PORT) \
		--isql-port $(VIRTUOSO_ISQL_PORT)
VIRTUOSO_ISQL_PORT ?= 1111

lint: dev
	$(BIN)/ruff check graph extract api tests bench
	$(BIN)/mypy graph extract api

clean:
	rm -rf $(VENV) var build *.egg-info

## make bench: the benchmark suite (fresh processes, interleaved rounds, ratios vs same-run baselines)
bench: dev
	$(BIN)/python -m bench $(BENCH_ARGS)
