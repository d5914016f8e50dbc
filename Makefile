# Two commands matter: `make run` (the app on SQLite with the demo case) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin
# The local demo is an explicit development choice: without OMBUDSMAN_ENV the app is production and refuses
# to start without a real secret key, a public https address, PostgreSQL and Redis.
FLASK := OMBUDSMAN_ENV=development $(BIN)/flask --app wsgi
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-postgres lint format install install-dev browser translations db benchmarks benchmarks-quick \
	benchmarks-test letter-images clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

# The app's own modules compiled once (`make` keeps PYTHONDONTWRITEBYTECODE, so imports never write them):
# without it every `make run` compiles some 200 modules again, about a quarter of a start's CPU.
# compileall recompiles only the files changed since; the stamp skips even that when none did.
SOURCES := $(shell find ombudsman migrations -name '*.py') config.py wsgi.py
$(VENV)/.bytecode: $(SOURCES) | $(BIN)/python
	$(BIN)/python -m compileall -q ombudsman migrations config.py wsgi.py > /dev/null
	touch $@

install: $(VENV)/.run-deps translations
install-dev: $(VENV)/.dev-deps translations

# A catalogue is compiled only when its .po is newer than its .mo (make compares the files' times).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard ombudsman/translations/*/LC_MESSAGES/*.po))
translations: $(CATALOGS)
%.mo: %.po | $(BIN)/python
	$(BIN)/pybabel -q compile -i $< -o $@

db: install
	mkdir -p instance
	$(FLASK) dev --prepare-only

## make run: set up, migrate, load the demo case into an empty database, serve on http://127.0.0.1:$(PORT)
## Each step runs only when out of date: pip when a requirements file changed (the stamps in .venv), the
## catalogues when a .po changed, migrations when the database is not at head, the demo case into an empty
## database; the app is built once (`flask dev` prepares the database and serves in the same process).
run: install $(VENV)/.bytecode
	@mkdir -p instance
	@echo ""
	@echo "  Ombudsman tracker on http://127.0.0.1:$(PORT)"
	@echo "  Log in as inspector@demo.test / demo (also supervisor@, head@, admin@, viewer@demo.test)"
	@echo ""
	PORT=$(PORT) $(FLASK) dev --host 127.0.0.1 --port $(PORT)

# The suite runs on one pytest-xdist worker per core where there is more than one core, in random order
# (pytest-randomly; it prints its seed). PYTEST_ARGS adds options: `--randomly-seed=N` replays an
# order, `-p no:randomly` keeps the file order, `-n 0` runs without workers.
PYTEST_WORKERS ?= $(shell [ "$$(nproc 2>/dev/null || echo 1)" -gt 1 ] && echo auto || echo 0)
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15 $(PYTEST_ARGS)

## make test: install what the tests need (Debian's chromium included) and run the whole suite
test: install-dev browser
	$(PYTEST)

## make test-postgres: the same on PostgreSQL; each worker creates (and drops) databases named after
## TEST_DATABASE_URL's database and its worker id
test-postgres: install-dev browser
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PYTEST)

# Debian packages: chromium for the browser tests, libharfbuzz-subset0 so WeasyPrint subsets fonts quickly,
# poppler-utils for `make letter-images` (pdftoppm), wrk for the benchmarks' load.
SYSTEM_PACKAGES := chromium libharfbuzz-subset0 poppler-utils wrk
browser:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing Debian packages:$$missing (install them; the browser tests need chromium)"; fi; fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make benchmarks: every page under gunicorn paired with the baseline page, at 1k and 100k findings on SQLite
## and PostgreSQL and 1M on PostgreSQL (data generated once, cached in benchmarks/out/data/); writes
## benchmarks/out/latest.json. BENCH_PG_URL names the PostgreSQL server, BENCH_REDIS_URL the Redis.
benchmarks: install-dev browser
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## make benchmarks-quick: 1k findings on SQLite, short rounds (development)
benchmarks-quick: install-dev browser
	$(BIN)/python -m benchmarks.run --quick --out benchmarks/out/quick.json $(BENCH_ARGS)

## make benchmarks-test: the runner's own test (servers and load at 200 findings; not in `make test`)
benchmarks-test: install-dev browser
	$(BIN)/python -m pytest -n 0 -p no:randomly -m benchmark tests/benchmarks

## make letter-images: the demo letters to the Wali Kota and the Dirjen and a reminder of eight overdue
## saran, as PDFs and page images (pdftoppm) in instance/letter-images/, to look at them as a clerk would
letter-images: install-dev browser
	PYTHONPATH=. $(BIN)/python tests/letters/letter_images.py instance/letter-images

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
