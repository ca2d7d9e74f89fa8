# Bazaar: `make run` serves the shop, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test install migrate demo lint bench faults e2e clean

run: install migrate demo
	@PORT=$(PORT) BIN=$(BIN) bash scripts/run.sh

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# Fault tests (docs/reliability.md): real gunicorn, Celery worker and beat, a private Redis
# and a private PostgreSQL cluster, each broken on purpose. Needs FAULTS_DATABASE_URL or
# DATABASE_URL on PostgreSQL; about five minutes.
faults: install
	BAZAAR_FAULTS=1 $(BIN)/pytest tests/faults -v $(PYTEST_ARGS)

clean:
	rm -rf var staticfiles
