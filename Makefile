# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)

.PHONY: run test lint typecheck contracts chromium screenshots unit bench bench-quick clean

# The browser tests drive Debian's Chromium (never a browser Playwright downloads).
CHROMIUM := /usr/bin/chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install the project and its dev tools, pinned by constraints.txt (the lock), once per change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/registry up

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: the browser tests will be skipped (CI fails them)"

test: lint typecheck contracts chromium
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=15

# docs/screenshots/: every public and owner page, desktop and 320 px, light and dark (the browser tests).
screenshots: $(STAMP) chromium
	REGISTRY_UI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/ui/test_browser.py -k axe
	REGISTRY_UI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/ui/test_register_browser.py -k "axe or keyboard"
	REGISTRY_UI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/ui/test_owner_browser.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/registry bench

bench-quick: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/registry bench --quick

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# docs/screenshots/admin-*: every admin console page (the admin browser tests).
screenshots-admin: $(STAMP) chromium
	REGISTRY_UI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/ui/test_admin_browser.py -k axe
	REGISTRY_UI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/ui/test_admin_detail_browser.py -k axe
