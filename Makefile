# The project's two commands. Each sets up everything it needs, from a fresh clone:
#   make test    cargo tests, then pytest against the release-built Python modules
#   make bench   the side-by-side speed comparison of every path (python/compare);
#                make bench QUICK=1 for short repeats, KERNEL=avx2 (or baseline, avx512,
#                neon) to force the modules' SIMD kernel (FAST_OPERATIONS_KERNEL),
#                SECTIONS="1 4" for some sections only, SIZES="1e3 1e6" for some sizes only
#   make results docs/RESULTS.md from the last full make bench (none of QUICK, SECTIONS, SIZES)
#   make criterion  the Rust benches (criterion), sum_array's layouts once per SIMD kernel
#   make lint    ruff (check and format) on the Python, cargo fmt and clippy on the Rust
# Any of them with PYTHON=python3.13 (a name pyenv has, or a path) uses that Python, in .venv-3.13.
# Packaging:
#   make wheels       release wheels in dist/, per module and Python 3.11-3.13 (manylinux, zig)
#   make test-wheels  those wheels installed into fresh venvs per Python, and pytest run there
#   make crates       each crate packaged as `cargo publish` would (target/package/)
# Standing checks (nightly toolchain; not part of `make test`, they take minutes):
#   make fuzz    each fuzz target in fuzz/ for FUZZ_SECONDS seconds (default 60)
#   make asan    the Rust tests, and the C code they call, under AddressSanitizer
#   make test-aarch64  the Rust tests cross-built for aarch64, run under qemu-user per kernel
# Needs cargo, gcc and python3 (with venv); wheels and test-wheels Python 3.11, 3.12 and 3.13 too.
# test and bench install nothing outside .venv*/, target/, build/ (wheels: .venv-wheels/, dist/);
# fuzz and asan may add cargo-fuzz (cargo install) and rust-src (rustup) to the toolchain.

# An interpreter by name (python3.13) or path: from PATH if it runs, else the newest of pyenv's
# versions with that name (pyenv's shims refuse a version that `pyenv global` did not select).
find_python = $(or $(shell $(1) -c 'import sys; print(sys.executable)' 2>/dev/null),$(lastword \
  $(sort $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/*/bin/$(notdir $(1))))))

# PYTHON=python3.13 (or any other) gets a venv and a maturin target dir of its own, so switching
# between versions rebuilds nothing and never mixes them; the default keeps .venv.
DEFAULT_PYTHON := $(filter undefined,$(origin PYTHON))
PYTHON ?= python3
PYTHON_EXE := $(call find_python,$(PYTHON))
PY_VERSION := $(if $(PYTHON_EXE),$(shell $(PYTHON_EXE) -c \
  'import sys; print("%d.%d" % sys.version_info[:2])'))
PY_SUFFIX := $(if $(DEFAULT_PYTHON),,-$(PY_VERSION))
VENV   := .venv$(PY_SUFFIX)
PY     := $(VENV)/bin/python

# Every crate with a pyproject.toml is a Python module: a new section needs no change here.
MODULES := $(notdir $(patsubst %/pyproject.toml,%,$(wildcard crates/*/pyproject.toml)))

# maturin gets its own target dir: pyo3's build script depends on the Python it is built for,
# so sharing target/ with plain `cargo test` would rebuild pyo3 on every switch.
MATURIN_TARGET := $(CURDIR)/target/maturin$(PY_SUFFIX)

# The SIMD kernels this CPU can run (FAST_OPERATIONS_KERNEL's values), from what Linux reports.
KERNELS := baseline \
  $(if $(shell grep -qw avx2 /proc/cpuinfo && echo y),avx2) \
  $(if $(shell grep -qw avx512f /proc/cpuinfo && echo y),avx512) \
  $(if $(filter aarch64,$(shell uname -m)),neon)

.PHONY: test bench lint results modules ctypes peers fuzz asan criterion test-aarch64 FORCE \
  wheels test-wheels crates

test: modules ctypes peers
	cargo test --workspace --all-targets
	cargo test --workspace --doc
	@for k in $(KERNELS); do \
	  echo "the Rust tests under FAST_OPERATIONS_KERNEL=$$k (but pairwise::tests, which loop over the kernels)"; \
	  FAST_OPERATIONS_KERNEL=$$k cargo test -q --workspace --lib --tests \
	    -- --skip pairwise::tests || exit 1; \
	done
	$(PY) -m pytest python/tests tests

# make bench's choices, as python -m compare takes them (python/compare/choices.py).
BENCH_ARGS = $(strip $(if $(QUICK),--quick) $(if $(SECTIONS),--section $(SECTIONS)) \
  $(if $(SIZES),--sizes $(SIZES)))

bench: bench-choices modules ctypes peers
	$(if $(KERNEL),FAST_OPERATIONS_KERNEL=$(KERNEL)) PYTHONPATH=python $(PY) -m compare $(BENCH_ARGS)

# The choices checked first, with the system's Python (standard library only): a wrong section
# or size fails at once, not after the build.
.PHONY: bench-choices
bench-choices:
	@PYTHONPATH=python $(PYTHON) -m compare.choices $(BENCH_ARGS)

# No warning anywhere: the Python (ruff, settings in pyproject.toml), the Rust's format, and
# clippy on every target, once as plain Rust and once with the Python bindings built in.
PYTHON_FEATURES := $(foreach m,$(MODULES),$(m)/python)
lint: $(VENV)/requirements.txt
	$(VENV)/bin/ruff check python tests crates
	$(VENV)/bin/ruff format --check python tests crates
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --all-targets --features "$(PYTHON_FEATURES)" -- -D warnings

# criterion: every bench of the workspace, then sum_array on each layout of the views table
# once per kernel this CPU has (rows named after the kernel). Reports in target/criterion/.
criterion:
	cargo bench --workspace
	@for k in $(KERNELS); do \
	  FAST_OPERATIONS_KERNEL=$$k cargo bench -p fast_operations --bench sum -- "sum_array layout" || exit 1; \
	done

# Coverage-guided fuzzing (cargo-fuzz, libFuzzer, AddressSanitizer) of the pure Rust cores:
# the pairwise sum on every kernel, the run cutter and squares, the exact integer sums,
# parallel_sum against sum_array, an array summed in chunks (tree pieces) against sum_array.
# The corpus grows in fuzz/corpus/ from run to run; a failing input lands in fuzz/artifacts/
# and `cargo +nightly fuzz run TARGET FILE` replays it.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := pairwise_sum for_each_run exact_sum parallel_sum chunks
fuzz:
	@cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install --locked cargo-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  cargo +nightly fuzz run --target-dir $(CURDIR)/target/fuzz $$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; \
	done

# The workspace's Rust tests (lib and integration tests) under AddressSanitizer, the standard
# library rebuilt with it (-Zbuild-std, which needs the rust-src component) and the C files
# too (cc passes CFLAGS on to gcc). Its own target dir: nothing is shared with plain builds.
asan:
	@rustup +nightly component list --installed | grep -q '^rust-src' || rustup +nightly component add rust-src
	CFLAGS="-fsanitize=address -fno-omit-frame-pointer" RUSTFLAGS="-Zsanitizer=address" \
	  cargo +nightly test -Zbuild-std --target x86_64-unknown-linux-gnu \
	    --target-dir $(CURDIR)/target/asan --workspace --lib --tests

# docs/RESULTS.md and docs/results/ from the last full `make bench`.
results:
	PYTHONPATH=python $(PY) -m compare.publish

# The venv is rebuilt only when the pinned requirements change.
$(VENV)/requirements.txt: python/requirements.txt
	@test -n "$(PY_VERSION)" || { echo "no Python named $(PYTHON) (on PATH or in pyenv)"; exit 1; }
	$(PYTHON_EXE) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r python/requirements.txt
	cp python/requirements.txt $@

# The wheels' Python versions (the classifiers of crates/*/pyproject.toml say the same), and
# their interpreters, found as PYTHON is (a missing one is an error, not a skipped version).
WHEEL_PYTHONS := 3.11 3.12 3.13
WHEEL_INTERPRETERS = $(foreach v,$(WHEEL_PYTHONS),$(call find_python,python$(v)))
CHECK_INTERPRETERS = @test $(words $(WHEEL_INTERPRETERS)) = $(words $(WHEEL_PYTHONS)) || \
  { echo "wheels need Python $(WHEEL_PYTHONS); found $(WHEEL_INTERPRETERS)"; exit 1; }
VERSION_OF = $$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# maturin and zig (python/requirements-wheels.txt), apart from the test venvs.
WHEELS_VENV := .venv-wheels
$(WHEELS_VENV)/requirements.txt: python/requirements-wheels.txt
	$(PYTHON_EXE) -m venv $(WHEELS_VENV)
	$(WHEELS_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	cp $< $@

# Release wheels in dist/, one per module and Python version: zig links them against an old
# glibc, so that pip takes them on any Linux of manylinux2014's age or newer (maturin finds zig
# as `python3 -m ziglang`: the venv comes first on PATH). Each version builds in a target dir
# of its own (pyo3 is built for one Python at a time; zig changes the C compiler and the
# linker, so nothing would be shared with target/maturin either).
wheels: $(WHEELS_VENV)/requirements.txt
	$(CHECK_INTERPRETERS)
	rm -f $(foreach m,$(MODULES),dist/$(m)-*.whl)
	@for py in $(WHEEL_INTERPRETERS); do \
	  v=$(VERSION_OF); \
	  for m in $(MODULES); do \
	    echo "wheel of $$m for Python $$v"; \
	    PATH=$(CURDIR)/$(WHEELS_VENV)/bin:$$PATH maturin build --release \
	      --zig --compatibility manylinux2014 --interpreter $$py \
	      --manifest-path crates/$$m/Cargo.toml --out dist \
	      --target-dir $(CURDIR)/target/wheels-$$v || exit 1; \
	  done; \
	done
	$(WHEELS_VENV)/bin/python python/check_wheels.py dist "$(MODULES)" "$(WHEEL_PYTHONS)"

# The wheels in dist/, tested as users get them: for each version, a fresh venv with the
# wheels and only what the module tests need (pinned as in requirements.txt), pytest run from
# that venv's folder so no source tree can shadow the installed modules (each module's file is
# printed first). Not test_compare.py: the comparison harness needs make bench's peers. It
# tests what dist/ holds (make wheels first), after the checks of make wheels.
TEST_WHEELS_NEEDS := ^(numpy|pytest|hypothesis|dask\[array\]|distributed)==
test-wheels:
	$(CHECK_INTERPRETERS)
	$(PYTHON_EXE) python/check_wheels.py dist "$(MODULES)" "$(WHEEL_PYTHONS)"
	@for py in $(WHEEL_INTERPRETERS); do \
	  v=$(VERSION_OF); venv=$(CURDIR)/target/test-wheels/$$v; \
	  echo "the wheels on Python $$v, in $$venv"; \
	  rm -rf $$venv && $$py -m venv $$venv && \
	  $$venv/bin/pip install --quiet --disable-pip-version-check \
	    $$(grep -E '$(TEST_WHEELS_NEEDS)' python/requirements.txt) && \
	  $$venv/bin/pip install --quiet --disable-pip-version-check --no-index --only-binary :all: \
	    --find-links $(CURDIR)/dist $(MODULES) && \
	  (cd $$venv && bin/python $(CURDIR)/python/check_wheels.py --installed "$(MODULES)" && \
	   bin/python -m pytest -q -rs -p no:cacheprovider $(CURDIR)/python/tests \
	     --ignore=$(CURDIR)/python/tests/test_compare.py) || exit 1; \
	done

# Each workspace crate as `cargo publish` would upload it, in target/package/. No lockfile:
# one would pin the internal crates, which are on no registry yet.
crates:
	cargo package --no-verify --exclude-lockfile --workspace

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

# clippy for aarch64 (no warning off x86 either), then the Rust cores' tests (lib, integration
# and doc tests) cross-built for aarch64 and run under qemu-user, once per kernel (qemu passes FAST_OPERATIONS_KERNEL on), then the tests of which
# set is chosen with it unset (NEON): the kernels checked bit for bit under ARM's NaN rules.
# Release builds, as shipped: the optimiser is what may swap operands, the NaN tests try
# every position there, and debug code runs many times slower under qemu. Not python_glue
# (pyo3 would need a Python built for aarch64), nor the Python modules; qemu's timings mean
# nothing. Installs qemu-user, the aarch64 gcc and its libc headers (Debian packages, as root)
# and the rustup target if missing.
AARCH64 := aarch64-unknown-linux-gnu
AARCH64_TEST := CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
  cargo test --release --target $(AARCH64) --target-dir $(CURDIR)/target/aarch64
AARCH64_KERNELS := baseline neon
# qemu-user itself aborts when a threaded guest forks (an assertion in its TCG): pool's fork
# test is skipped under it, and runs in `make test`.
AARCH64_SKIP := --skip a_forked_child_runs_tasks_on_fresh_helpers
test-aarch64:
	@rustup target list --installed | grep -qx $(AARCH64) || rustup target add $(AARCH64)
	@command -v qemu-aarch64 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null && \
	  test -f /usr/aarch64-linux-gnu/include/stdio.h || \
	  { apt-get update && apt-get install -y --no-install-recommends \
	      qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross; }
	CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc cargo clippy --target $(AARCH64) \
	  --target-dir $(CURDIR)/target/aarch64 --workspace --exclude python_glue --all-targets -- -D warnings
	@for k in $(AARCH64_KERNELS); do \
	  echo "aarch64 tests under qemu, FAST_OPERATIONS_KERNEL=$$k"; \
	  FAST_OPERATIONS_KERNEL=$$k $(AARCH64_TEST) --workspace --exclude python_glue -- $(AARCH64_SKIP) || exit 1; \
	done
	env -u FAST_OPERATIONS_KERNEL $(AARCH64_TEST) --workspace --exclude python_glue --lib chosen
