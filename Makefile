# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installs come from the lock files (exact versions, every file's hash); `make lock` writes them.
LOCK := requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) | cksum | cut -d' ' -f1)
DEV := DJANGO_DEBUG=1
# `make demo PORT=8001` when 8000 is taken; the demo college's name on its grade sheets.
PORT ?= 8000
DEMO_COLLEGE_NAME ?= «Болашақ» жоғары колледжі

.PHONY: install lock demo test requirements lint format messages check-messages run

$(STAMP): $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Lock files from requirements*.txt (uv resolves on PyPI alone, whatever indexes pip is configured with):
## requirements-dev.lock for development and CI, requirements.lock (its runtime subset) for servers
UV_COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock"
lock: install
	$(UV_COMPILE) requirements-dev.txt -o requirements-dev.lock
	$(UV_COMPILE) requirements.txt -c requirements-dev.lock -o requirements.lock

# The development server with a task worker beside it (imports and e-mails run there, as in
# production); stopping the server stops the worker.
DEMO_ENV := COLLEGE_NAME="$${COLLEGE_NAME:-$(DEMO_COLLEGE_NAME)}" SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"
SERVE := $(DEV) $(DEMO_ENV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Demo: SQLite database with a generated college, server on http://127.0.0.1:$(PORT) (8000)
demo: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py demo_college
	@echo "Starting the task worker and the server on http://127.0.0.1:$(PORT) (Ctrl+C stops both)"
	@$(SERVE)

run: install
	@$(SERVE)

## Tests: SQLite by default, PostgreSQL when DATABASE_URL is set
test: install
	$(BIN)/python -m pytest

## Per requirement ID: passing and failing tagged tests
requirements: install
	-$(BIN)/python -m pytest -q -p no:randomly --req-report=.req-report.json > /dev/null
	$(BIN)/python scripts/requirements_report.py .req-report.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DJANGO_ALLOW_DEV_KEY=1 $(BIN)/mypy
	DJANGO_ALLOW_DEV_KEY=1 $(BIN)/python manage.py check
	DJANGO_ALLOW_DEV_KEY=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_messages.py
	$(BIN)/python scripts/check_lock.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the translation catalogues (needs GNU gettext) and compile them; .mo files are committed
messages: install
	$(DEV) $(BIN)/python manage.py makemessages -l kk -l ru -l en --no-obsolete --ignore=.venv --ignore=tests
	$(DEV) $(BIN)/python manage.py makemessages -d djangojs -l kk -l ru -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv
