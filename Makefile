# fxsim - the two set-up commands are `make demo` and `make test`; both create .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FXSIM := $(VENV)/bin/fxsim
OUT ?= out

.PHONY: demo test test-all bench install clean

install: $(VENV)/.installed

# The package is installed as a wheel (as a user gets it), so it is reinstalled when its sources
# change; the venv and the dependencies are made once.
SOURCES := $(shell find fxsim codegen templates c_ref -type f ! -path '*__pycache__*' 2>/dev/null)

$(VENV)/.installed: pyproject.toml $(SOURCES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q ".[test,plot,cluster]"
	touch $@

# The main job on a bundled example: 16 kHz noisy speech through decimation, the channel-energy
# noise suppressor and interpolation - quantization report, generated C, the verify gate, and the
# fixed-point model run on the recording (denoised WAV, per-frame decisions).
demo: install
	mkdir -p $(OUT)
	$(FXSIM) quantize examples/speech_ns.toml --input examples/noisy_speech.wav --plot $(OUT)/speech_ns.png
	$(FXSIM) codegen examples/speech_ns.toml -o $(OUT)/speech_ns
	$(FXSIM) verify examples/speech_ns.toml
	$(FXSIM) run examples/speech_ns.toml --input examples/noisy_speech.wav -o $(OUT)/denoised.wav --frames $(OUT)/frames.csv
	@echo "generated C in $(OUT)/speech_ns/, denoised speech in $(OUT)/denoised.wav, per-frame decisions in $(OUT)/frames.csv, plot in $(OUT)/speech_ns.png"

# numba keys each cached function to its own file's time stamp, not to the files of the functions
# it calls: a checkout's caches are dropped whenever a source changes, so that none goes stale.
$(VENV)/.numba-fresh: $(SOURCES)
	find fxsim -name '*.nbi' -delete -o -name '*.nbc' -delete
	touch $@

# The tests marked slow (the exhaustive sweeps, the M4's plain-C builds, the documentation's
# commands on the emulated targets) run in CI (CI=true) and under `make test-all`; a plain
# `make test` leaves them out. The tests run in one pytest-xdist worker per core, at most 4 (each
# compiles numba's functions and C builds of its own; the caches they share are safe to fill
# concurrently): on a 2-core machine a fresh clone's `make test` took 12 minutes (20 in one process).
# `make test JOBS=0` runs them in this process (no workers).
# pytest exits 5 when it collected no tests: that is a failure here.
SELECT := $(if $(filter true,$(CI)),,-m "not slow")
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)

test: install $(VENV)/.numba-fresh
	@$(PY) -m pytest -q -p no:cacheprovider -n $(JOBS) $(SELECT); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests"; exit 1; fi; exit $$rc

test-all:
	@$(MAKE) --no-print-directory test CI=true

bench: install
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache
