# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-dev migrate lint clean chromium tour

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) -m config.launch run

test: install-dev chromium
	OPENAI_API_KEY= REPLICATE_API_TOKEN= $(PY) -m config.launch test $(PYTEST_ARGS)

# The browser tests use Debian's Chromium: installed here when we may (root), else skipped.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "Chromium is not installed and cannot be installed here: the browser tests will be skipped."; }

# Screenshots of every step at desktop and phone width for the README tour, and the sample
# frames and film the landing page shows.
tour: install-dev chromium
	rm -rf docs/tour && mkdir -p static/img/samples
	TOUR_DIR=docs/tour SAMPLES_DIR=static/img/samples OPENAI_API_KEY= REPLICATE_API_TOKEN= \
		$(PY) -m config.launch test tests/e2e -k walks

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .


clean:
	rm -rf $(VENV) staticfiles var/valkey
