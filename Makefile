# Frontline: `make demo` runs the demo company, `make test` runs the test suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check bench bench-email bench-sla bench-routing bench-desk bench-chat install clean

$(STAMP): pyproject.toml package-lock.json
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# The desk's browser assets (htmx) from the npm registry; without npm the desk works as plain forms.
	if command -v npm >/dev/null 2>&1; then npm ci --prefix . --no-audit --no-fund; else echo "npm not found: the desk runs without htmx"; fi
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	FRONTLINE_DEBUG=$${FRONTLINE_DEBUG:-1} $(BIN)/frontline demo

test: $(STAMP)
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy frontline
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	# The deploy checklist (docs/security.md) with production settings: HTTPS on, debug off, a random key.
	FRONTLINE_DEBUG=0 FRONTLINE_HTTPS=1 FRONTLINE_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
		$(BIN)/python manage.py check --deploy

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-email: $(STAMP)
	$(BIN)/python bench/email_ingest.py $(BENCH_ARGS)

bench-sla: $(STAMP)
	$(BIN)/python bench/sla.py $(BENCH_ARGS)

bench-routing: $(STAMP)
	$(BIN)/python bench/routing.py $(BENCH_ARGS)

bench-chat: $(STAMP)
	$(BIN)/python bench/chat.py $(BENCH_ARGS)

bench-desk: $(STAMP)
	$(BIN)/python bench/desk.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
