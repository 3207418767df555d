# make serve: the emulator with its default fixtures (PORT=8080 by default)
# make test:  the site's strict build, then the whole test suite (about 5 minutes on 2 cores;
#             installs Debian's chromium for the browser tests when run as root)
# make docs:  the documentation site into site/ (mkdocs build --strict); make docs-serve serves
#             it on http://127.0.0.1:8000 while docs/ is edited
# make contract: the contract tests, against the emulator or SMS_MOCK_URL
# make fuzz:  the properties at FUZZ_EXAMPLES examples each (1000 by default), with statistics; long, not in CI
# make lint:  ruff check and ruff format --check
# make bench: the figures of README "Performance" on this machine (about 4 minutes); writes bench/results.md
# Each target creates .venv and installs what it needs from this project's own files.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
HOST   ?= 127.0.0.1

.PHONY: serve test docs docs-serve browser contract fuzz lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps: reinstall when the project's metadata changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-installed

serve: $(VENV)/.run-installed
	$(BIN)/sms-mock serve --host $(HOST) --port $(PORT)

# TEST_WORKERS=0 runs the suite in one process (pytest-xdist's -n 0).
TEST_WORKERS ?= 2
test: $(VENV)/.test-installed browser
	$(MKDOCS) build --strict
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The site (mkdocs.yml, docs/): strict, so that a dead link or anchor fails. The test extra
# installs mkdocs too, so `make test` builds it with what it already has.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs
$(VENV)/.docs-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@ $(VENV)/.run-installed

docs: $(VENV)/.docs-installed
	$(MKDOCS) build --strict

docs-serve: $(VENV)/.docs-installed
	$(MKDOCS) serve --strict

# The dashboard's browser tests drive Debian's chromium through its chromedriver.
browser:
	@scripts/install-browser

contract: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests/contract

# The bench's peer, moto_server, from the optional `bench` extra. An install that fails does
# not stop the bench: it reports that figure as not measured (and the next run tries again).
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.test-installed
	@if $(BIN)/python -m pip install -q -e '.[bench]'; then touch $@; \
	else echo "make bench: the bench extra (moto) did not install; its figure is not measured"; fi

bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench

# Random, with the example database in .hypothesis/: a failure found is tried first next time.
FUZZ_EXAMPLES ?= 1000
FUZZ_TESTS    ?= tests/contract tests/security/test_hostile.py tests/sms/test_task_index.py
fuzz: $(VENV)/.test-installed
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest $(FUZZ_TESTS) \
		--hypothesis-show-statistics --durations=5

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist site *.egg-info .pytest_cache .ruff_cache .hypothesis
