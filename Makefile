# Regrant — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install lint migrate seed worker bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## run: install, migrate, load the demo, start a Celery worker with beat and the web server.
run: seed
	@$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo ""
	@$(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/
	@echo ""
	@export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	  trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	  $(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=2 & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

## worker: a Celery worker with beat, on its own (for a second terminal or a service manager).
worker: install
	$(BIN)/celery -A config worker --beat --loglevel=INFO

## test: install and run the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python benchmarks/auto_assign.py
	$(BIN)/python benchmarks/auto_assign.py --same-country
	$(BIN)/python benchmarks/reminder_sweep.py

clean:
	rm -rf $(VENV) var
