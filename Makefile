# The two commands: `make run` and `make test`. Both set up the virtual environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/quarterplan run scenarios/base.yaml

test: $(STAMP) chromium
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint typecheck

# Headless Chromium for the report's browser test (Debian's package; CI runs as root), and a
# font with Chinese glyphs (the test renders a Chinese report and checks no glyph is missing).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@fc-list :lang=zh family | grep -q . || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy engine cli.py benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_optimize --runs 5
	$(BIN)/python -m benchmarks.optimize_cost --rounds 3
	$(BIN)/python -m benchmarks.bench_simulate --runs 3

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
