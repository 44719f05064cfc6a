# The two commands: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint pytest pytest-app pytest-engines pytest-postgres pytest-shifted bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/mle-coach run

lint: $(VENV)/.test-installed
	$(BIN)/ruff check bot handlers storage sandbox tests bench
	$(BIN)/ruff format --check bot handlers storage sandbox tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

pytest: $(VENV)/.test-installed
	$(BIN)/pytest -q

# With TEST_DATABASE_URL=postgresql://… (as .ci/run sets it) the app's tests run a second
# time with PostgreSQL as its database; the contract tests run on both engines either way.
# Tests that choose their engines themselves run in the first pass only.
ENGINE_TESTS := test_storage_contract test_engine_contract test_replicas test_copy_db test_postgres
# Tests that use no database of the app's (pure readers and rules, the manifest, the config,
# the sandbox with its own SQLite file) tell nothing new on the second pass.
NO_ENGINE_TESTS := test_reading test_escaping test_manifest test_question_bank \
	test_reply_decisions test_metric_decisions test_stage_move_decisions test_business_rules \
	test_config test_sandbox test_names
pytest-postgres: $(VENV)/.test-installed
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		MLE_TEST_BACKEND=postgresql $(BIN)/pytest -q \
			$(foreach t,$(ENGINE_TESTS) $(NO_ENGINE_TESTS),--ignore=tests/$(t).py); \
	else echo "TEST_DATABASE_URL is not set: the app's tests ran on SQLite only"; fi

# `make test`: the app's tests on SQLite and on PostgreSQL side by side (they mostly wait on
# sockets and timers), then the tests that choose their engines (one of them ends every
# PostgreSQL session of the app, so it runs alone).
pytest-app: $(VENV)/.test-installed
	$(BIN)/pytest -q $(foreach t,$(ENGINE_TESTS),--ignore=tests/$(t).py)
pytest-engines: $(VENV)/.test-installed
	$(BIN)/pytest -q $(foreach t,$(ENGINE_TESTS),tests/$(t).py)

# No test depends on today's date: the sandbox and scheduler tests run again with the
# machine's clock a year ahead and a year back (Debian's faketime; .ci/run installs it).
SHIFTED_TESTS := tests/test_sandbox.py tests/test_scheduler.py
pytest-shifted: $(VENV)/.test-installed
	@if command -v faketime >/dev/null 2>&1; then \
		for shift in +365d -365d; do \
			echo "the clock moved $$shift:"; \
			faketime -f "$$shift" $(BIN)/pytest -q -p no:cacheprovider $(SHIFTED_TESTS) || exit 1; \
		done; \
	elif [ -n "$$CI" ]; then echo "faketime is missing (apt-get install faketime)"; exit 1; \
	else echo "faketime is not installed: the clock-shifted runs are skipped"; fi

test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-app pytest-postgres
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-engines pytest-shifted

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench.help_ack
	$(BIN)/python -m bench.interview_replies
	$(BIN)/python -m bench.tick_scale
	$(BIN)/python -m bench.digest_fanout
	$(BIN)/python -m bench.load_burst
	$(BIN)/python -m bench.tick_engines
	$(BIN)/python -m bench.sqlite_drivers
	$(BIN)/python -m bench.charts
	$(BIN)/python -m bench.registry_sync
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/python -m bench.pg_drivers; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
