# The project's two commands. Each sets up everything it needs, from a fresh clone:
#   make test    cargo tests, then pytest against the release-built Python modules
#   make bench   the side-by-side speed comparison of every path (python/compare);
#                make bench QUICK=1 for short repeats
# Needs cargo, gcc and python3 (with venv). Nothing is installed outside .venv/, target/, build/.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

# Every crate with a pyproject.toml is a Python module: a new section needs no change here.
MODULES := $(notdir $(patsubst %/pyproject.toml,%,$(wildcard crates/*/pyproject.toml)))

# maturin gets its own target dir: pyo3's build script depends on the Python it is built for,
# so sharing target/ with plain `cargo test` would rebuild pyo3 on every switch.
MATURIN_TARGET := $(CURDIR)/target/maturin

.PHONY: test bench results modules ctypes peers FORCE

test: modules ctypes peers
	cargo test --workspace --all-targets
	cargo test --workspace --doc
	$(PY) -m pytest python/tests tests

bench: modules ctypes peers
	PYTHONPATH=python $(PY) -m compare $(if $(QUICK),--quick)

# docs/RESULTS.md and docs/results/ from the last full `make bench`.
results:
	PYTHONPATH=python $(PY) -m compare.publish

# The venv is rebuilt only when the pinned requirements change.
$(VENV)/requirements.txt: python/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r python/requirements.txt
	cp python/requirements.txt $@

# `pip install ./crates/NAME` is the documented way in; maturin's PEP 517 backend builds release.
# cargo decides what is stale, so this always runs (a no-op rebuild takes a few seconds).
modules: $(VENV)/requirements.txt
	@for m in $(MODULES); do \
	  echo "installing Python module $$m (release build)"; \
	  CARGO_TARGET_DIR=$(MATURIN_TARGET) $(PY) -m pip install --quiet --disable-pip-version-check \
	    --no-build-isolation --no-deps --force-reinstall ./crates/$$m || exit 1; \
	done

# Section 3's shared libraries for ctypes and cffi.
ctypes: build/ctypes/math_functions.so build/ctypes/math_functions_O3.so build/ctypes/math_functions_rust.so

# The tutorial's Cython files, as written and with the smallest fixes (python/tutorial/build.py
# records which build, and why not; it rebuilds only when a source changed).
peers: $(VENV)/requirements.txt
	$(PY) python/tutorial/build.py

# The tutorial's own line, run where the tutorial runs it: beside a copy of the C file.
build/ctypes/math_functions.so: c_src/math_functions.c
	mkdir -p build/ctypes
	cp c_src/math_functions.c build/ctypes/
	cd build/ctypes && gcc -shared -o math_functions.so -fPIC math_functions.c

# The same line with -O3, for the comparison: what an optimising build of the C changes.
build/ctypes/math_functions_O3.so: c_src/math_functions.c
	mkdir -p build/ctypes
	cp c_src/math_functions.c build/ctypes/
	cd build/ctypes && gcc -O3 -shared -o math_functions_O3.so -fPIC math_functions.c

# The Rust crate without its `python` feature: a plain C-ABI library exporting `square`.
build/ctypes/math_functions_rust.so: FORCE
	cargo build --release -p math_functions
	mkdir -p build/ctypes
	cp target/release/libmath_functions.so $@

FORCE:
