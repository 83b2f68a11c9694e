# `make bench`: ours vs upstream Microdot 2.5.1 vs a bare asyncio floor, on
# MicroPython (PyPI unix port, plus the frozen UNIX image when built) and
# CPython. Prints the table; writes bench/results/latest.{json,md,png} and
# the README's bench section. See bench/README.md. BENCH_ARGS passes options
# to bench/run.py (e.g. BENCH_ARGS="--rounds 10" or "--only cpython").
BENCH_UPSTREAM := bench/.upstream/microdot/__init__.py
# 2.7.0 too, for the figures where 2.5.1 does less work (bench_security.py)
BENCH_UPSTREAM27 := bench/.upstream27/microdot/__init__.py
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_ARGS ?=
.PHONY: bench bench-deps

# bench/run.py makes the main table; each bench/bench_*.py measures one
# topic (streaming, realtime, forms, ...) and prints its own table.
bench: $(STAMP) mpy bench-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

bench-deps: $(BENCH_UPSTREAM) $(BENCH_UPSTREAM27) $(BENCH_STAMP)
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "wrk missing: installing it with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; \
	} || { echo "wrk is missing and could not be installed: install Debian's wrk package"; exit 1; }

# Upstream is only ever imported by the benchmark's own server processes.
$(BENCH_UPSTREAM): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps \
	  --target bench/.upstream microdot==2.5.1
	@touch $@

$(BENCH_UPSTREAM27): $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps \
	  --target bench/.upstream27 microdot==2.7.0
	@touch $@

$(BENCH_STAMP): bench/requirements.txt $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check -r bench/requirements.txt
	@touch $@
