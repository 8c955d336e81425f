# Two commands matter: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help venv run serve worker db test test-fast lint format bench clean dpa-template

help: ## Show the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP) ## Create the virtual environment and install the project

db: $(STAMP) ## Bring the database schema up to date (and create development keys)
	APP_ENV=$${APP_ENV:-development} $(FLASK) db upgrade

run: db ## Install, migrate, serve on http://127.0.0.1:5000 with one job worker (SQLite in instance/)
	APP_ENV=$${APP_ENV:-development} HOST=$(HOST) $(BIN)/honcho start -f Procfile --port $(PORT)

serve: $(STAMP) ## Production shape: gunicorn (several workers) + a job worker on DATABASE_URL and REDIS_URL
	@test -n "$$DATABASE_URL" || { echo "make serve: set DATABASE_URL (PostgreSQL)"; exit 2; }
	@test -n "$$REDIS_URL" || { echo "make serve: set REDIS_URL (the job queue and the rate limits)"; exit 2; }
	$(FLASK) db upgrade
	HOST=$(HOST) $(BIN)/honcho start -f Procfile.serve --port $${PORT:-8000}

worker: $(STAMP) ## Run one job worker (consumes the queue; runs the daily erasure and hourly purge)
	$(FLASK) jobs worker

test: $(STAMP) ## Run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(STAMP) ## Run the suite without the browser tests
	$(BIN)/pytest -m 'not browser' $(PYTEST_ARGS)

lint: $(STAMP) ## Lint and check formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format with ruff and fix what its linter can fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) ## Run the benchmarks in bench/ and print ratios against their baselines
	$(BIN)/python -m bench $(BENCH_ARGS)

dpa-template: $(STAMP) ## Regenerate templates/contracts/dpa.docx from contracts/build_template.py
	$(BIN)/python -m contracts.build_template

clean: ## Remove the virtual environment and caches (instance/ is kept)
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
