# policykg: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install dev build serve lint bench clean system-deps

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

lint: dev
	$(BIN)/ruff check graph extract api tests bench
	$(BIN)/mypy graph extract api

clean:
	rm -rf $(VENV) var build *.egg-info

## make bench: the benchmark suite (fresh processes, interleaved rounds, ratios vs same-run baselines)
bench: dev
	$(BIN)/python -m bench $(BENCH_ARGS)
