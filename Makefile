# Rollout — the CRM implementation planner.
#   make run    set everything up and serve the demo at http://127.0.0.1:$(PORT), with the job worker
#   make test   set everything up and run the whole suite (SQLite, PostgreSQL, browser)
#   make i18n   extract strings, update the catalogues, compile them
#   make bench  measure pages, API, imports and LCP at realistic size (BENCH_ARGS=--browser-only: LCP only)
#   make lock   re-resolve requirements.lock from pyproject.toml (make lock-upgrade: newest allowed versions)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
PYBABEL := $(VENV)/bin/pybabel
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
LOCK := requirements.lock
PIP := $(PY) -m pip --disable-pip-version-check
export FLASK_APP := wsgi.py

.PHONY: setup run test lint i18n translations bench clean merge-driver lock lock-upgrade

# Exactly the versions in requirements.lock (generated from pyproject.toml by `make lock`), then
# the app itself without resolving anything again.
$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $@

# pip-tools is needed only here, never by `make run` or `make test`.
lock lock-upgrade: $(VENV)/.installed
	$(PIP) install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		$(if $(filter lock-upgrade,$@),--upgrade) --output-file $(LOCK) pyproject.toml

setup: $(VENV)/.installed translations merge-driver

# Catalogues merge entry by entry (scripts/po-merge.py), not line by line.
merge-driver:
	@git rev-parse --git-dir >/dev/null 2>&1 && git config merge.po3way.driver "python3 scripts/po-merge.py %O %A %B %P" || true

translations: $(VENV)/.installed
	@$(PYBABEL) -q compile -d translations

run: export PLANNER_ENV ?= development
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load
	HOST=$(HOST) WORKERS=$(WORKERS) VENV=$(VENV) $(VENV)/bin/honcho start --procfile Procfile --port $(PORT)

test: setup
	$(VENV)/bin/ruff check .
	VENV=$(VENV) scripts/test-all

lint: setup
	$(VENV)/bin/ruff check .

i18n: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k lazy_pgettext:1c,2 --no-location --sort-output --no-wrap \
		--project=Rollout --copyright-holder="Rollout" -o translations/messages.pot .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(PYBABEL) compile -d translations --statistics

bench: setup
	PLANNER_ENV=production SECRET_KEY=bench $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
