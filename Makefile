# OPALE Partnerships portal. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
PO := locale/fr/LC_MESSAGES/django.po
# The suite in two processes (pytest-xdist), the tests of one group (a real Redis worker) in the same one.
PYTEST_ARGS ?= -n 2 --dist loadgroup
MO := $(PO:.po=.mo)

.PHONY: run test lint worker install messages makemessages demo migrate check-deploy bench bench-enquiry bench-triage bench-pdf bench-quality clean

run: $(VENV)/.installed-run $(MO)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev $(MO)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --quiet . || { echo 'Run .venv/bin/ruff format . to fix the layout.'; exit 1; }
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

worker: $(VENV)/.installed-run $(MO)
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (for example redis://127.0.0.1:6379/0) to run a worker."; exit 2; }
	$(VENV)/bin/celery -A opale_portal worker --beat --loglevel=INFO

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed-run

$(MO): $(PO)
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install gettext (apt-get install gettext)."; exit 2; }
	msgfmt --check -o $@ $<

messages: $(MO)

# Refresh the French catalogue after changing user-facing strings, then translate the new entries.
makemessages: $(VENV)/.installed-run
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=bench

# The stage machines, drawn from the code by django-fsm-2's graph_transitions (needs Graphviz: apt-get install graphviz).
# tests/opale_portal/test_diagrams.py fails when a committed diagram no longer matches the code.
diagrams: $(VENV)/.installed-run
	$(PY) manage.py draw_stage_machines

demo: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

check-deploy: $(VENV)/.installed-run
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=partenariats.opale.example $(PY) manage.py check --deploy --fail-level WARNING

# Enquiry submission against the bare Django floor, in one run (bench/README.md). Needs PostgreSQL at
# 127.0.0.1:5432 (user postgres) and, for the cache, Redis at 127.0.0.1:6379. BENCH_ARGS="--seconds 10" etc.
bench: bench-enquiry bench-triage bench-pdf bench-quality

bench-enquiry: $(VENV)/.installed-run $(MO)
	$(PY) bench/enquiry_submission.py $(BENCH_ARGS)

# The triage queue at 100,000 enquiries against a bare admin list, in one run (bench/README.md). Needs
# PostgreSQL at 127.0.0.1:5432 (user postgres). TRIAGE_ARGS="--rows 20000 --keep-db" etc.
bench-triage: $(VENV)/.installed-run $(MO)
	$(PY) bench/triage_queue.py $(TRIAGE_ARGS)

# The KPI dashboard at 100,000 enquiries and ~570,000 stage changes against a bare admin list, in one run
# (bench/README.md). Needs PostgreSQL at 127.0.0.1:5432 (user postgres); keeps its database for the next run.
# QUALITY_ARGS="--rounds 20 --fresh" etc.
bench-quality: $(VENV)/.installed-run $(MO)
	$(PY) bench/quality_dashboard.py $(QUALITY_ARGS)

# A 15-page research collaboration draft through the portal against WeasyPrint alone, in one run, and the renders
# of an unchanged draft asked twice (bench/README.md). No service needed (SQLite in a temporary folder).
# PDF_ARGS="--rounds 30 --language en" etc.
bench-pdf: $(VENV)/.installed-dev $(MO)
	$(PY) bench/contract_pdf.py $(PDF_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache $(MO)
