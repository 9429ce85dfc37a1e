# Hearth — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SEED ?= 2018
CHILDREN ?= 80000
export DJANGO_SETTINGS_MODULE ?= hearth.config.settings.dev

.PHONY: install demo test lint lock serve clean-demo

# The environment is rebuilt only when the lock file changes.
$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(BIN)/.installed

demo: export DATABASE_URL = sqlite:///$(CURDIR)/var/demo.sqlite3
demo: install
	rm -f var/demo.sqlite3 var/demo.sqlite3-wal var/demo.sqlite3-shm
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py generate_council --seed $(SEED) --children $(CHILDREN) --years 3
	$(BIN)/python manage.py demo_accounts
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	@test -n "$$HEARTH_CHROMIUM" || scripts/ensure-chromium.sh
	DJANGO_SETTINGS_MODULE=hearth.config.settings.test $(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=hearth.config.settings.test $(BIN)/mypy src

# Re-resolve the lock file after changing pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements.lock
