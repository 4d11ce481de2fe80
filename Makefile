# pgadmin-py: `make run` serves the embedded demo, `make test` runs every test tier.
# Everything installs itself into .venv on first use; a fresh machine needs Python 3.10+ and make.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
LOCAL_PG ?= postgresql://postgres@127.0.0.1:5432/postgres

.DEFAULT_GOAL := help
PG_VERSIONS ?= 12 13 14 15 16 17 18
PYTHONS ?= 3.10 3.13

.PHONY: help install run test test-unit test-integration test-e2e test-versions test-pythons lint bench vendor image-cmd image-check clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "pgadmin-py needs Python 3.10 or newer; set PYTHON=python3.10")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP) ## create .venv and install pgadmin-py with its dev tools

run: $(STAMP) ## serve the bundled demo on an embedded PostgreSQL at http://127.0.0.1:3000
	$(VENV)/bin/pgadmin-py serve

test: $(STAMP) ## unit + integration + e2e on the suite's own throwaway PostgreSQL (TEST_DATABASE_URL to use yours)
	$(PY) -m pytest -q

# What depends on the server's version: the catalog, types and edge values, the console's pg_proc guard,
# filters and export, the dashboard, backups (pg_dump/pg_restore choice) and the demo's migrations.
PG_MATRIX_TESTS ?= tests/integration/catalog tests/integration/records/test_records_types.py \
	tests/integration/records/test_records_merge.py tests/integration/console/test_read_only_guard.py \
	tests/integration/browser/test_filters_sort.py tests/integration/browser/test_paging.py \
	tests/integration/browser/test_export_copy.py tests/integration/foundation/test_dashboard.py \
	tests/integration/browser/test_partitions_matviews.py \
	tests/integration/migrations/test_backup_safety.py tests/integration/migrations/test_restore_any_server.py \
	tests/integration/test_demo_project.py

test-versions: $(STAMP) ## the server-version-sensitive integration tests once per PostgreSQL major (PG_VERSIONS)
	PG_MATRIX_TESTS="$(PG_MATRIX_TESTS)" .ci/pg-matrix $(PY) $(PG_VERSIONS)

test-pythons: ## unit tests on each other supported Python (PYTHONS; found on PATH or in ~/.pyenv/versions)
	@set -e; for v in $(PYTHONS); do \
		py=; for c in $$(command -v python$$v) $$(ls -d $$HOME/.pyenv/versions/$$v.*/bin/python 2>/dev/null); do \
			if $$c -c '' 2>/dev/null; then py=$$c; break; fi; done; \
		test -n "$$py" || { echo "Python $$v not found (PATH or ~/.pyenv/versions)"; exit 1; }; \
		test -x .venv-py$$v/bin/python || $$py -m venv .venv-py$$v; \
		.venv-py$$v/bin/python -m pip install --quiet --upgrade pip; \
		.venv-py$$v/bin/python -m pip install --quiet -e '.[dev]'; \
		echo "== unit tests on $$(.venv-py$$v/bin/python --version)"; \
		.venv-py$$v/bin/python -m pytest -q tests/unit; \
	done

test-unit: $(STAMP) ## unit tests only (no database)
	$(PY) -m pytest -q tests/unit

test-integration: $(STAMP) ## integration tests only
	$(PY) -m pytest -q tests/integration

test-e2e: $(STAMP) ## browser tests only (Debian chromium at /usr/bin/chromium)
	$(PY) -m pytest -q tests/e2e

lint: $(STAMP) ## ruff, mypy --strict, import-linter contracts
	$(VENV)/bin/ruff check src tests .ci
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP) ## benchmarks in tests/bench, each reporting ratios measured in one run
	@set -e; for f in tests/bench/bench_*.py; do echo "== $$f"; $(PY) $$f; done

vendor: ## re-fetch htmx, htmx-ext-sse and CodeMirror 5 from the npm registry and check their checksums
	bash static/vendor/fetch.sh

image-cmd: $(STAMP) ## the container's start command, exactly (HOST=0.0.0.0; needs DATABASE_URL)
	HOST=0.0.0.0 $(VENV)/bin/pgadmin-py serve

image-check: ## build the Dockerfile in chroots (root, debootstrap; no container engine), report its size, run it on LOCAL_PG
	$(PYTHON) .ci/image_check.py --database-url '$(LOCAL_PG)'

clean: ## remove the virtualenv and test artefacts (./.pgadmin-py); the demo's data stays in DATA_DIR
	rm -rf $(VENV) .venv-py* .pgadmin-py
