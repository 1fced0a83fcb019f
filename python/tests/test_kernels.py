"""The SIMD kernels: `fast_operations.kernel()`, FAST_OPERATIONS_KERNEL, and the contract suite
run again under every kernel this CPU has, each in a process of its own (the kernel is chosen
once per process)."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import fast_operations
import pytest

TESTS = Path(__file__).resolve().parent
VARIABLE = "FAST_OPERATIONS_KERNEL"
MODULES = ["fast_operations", "parallel_sum", "array_ops"]

# The suites whose every assertion is about results (bits, errors, writes), which each
# kernel must meet alone: the sums, their axes, the NaN bits, the squares.
CONTRACT_SUITE = [
    "test_sum_contract.py",
    "test_nan_bits.py",
    "test_sum_axis.py",
    "test_parallel_sum.py",
    "test_array_ops.py",
    "test_square_ufunc.py",
]


def cpu_flags():
    """The CPU's feature flags as Linux reports them (not the modules' own detection)."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def kernels_this_cpu_has():
    machine = platform.machine()
    flags = cpu_flags()
    if machine in ("x86_64", "AMD64"):
        names = ["baseline", "avx2", "avx512"]
        has = [True, "avx2" in flags, "avx512f" in flags]
        return [name for name, ok in zip(names, has, strict=True) if ok]
    if machine in ("aarch64", "arm64"):
        return ["baseline", "neon"]
    return ["baseline"]


SUPPORTED = kernels_this_cpu_has()
ALL = ["baseline", "avx2", "avx512", "neon"]
UNSUPPORTED = [name for name in ALL if name not in SUPPORTED]


def run_python(code, kernel):
    env = dict(os.environ)
    if kernel is None:
        env.pop(VARIABLE, None)
    else:
        env[VARIABLE] = kernel
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_kernel_in_use_is_the_widest_unless_forced():
    import array_ops
    import parallel_sum

    forced = os.environ.get(VARIABLE, "").strip().lower()
    for module in (fast_operations, parallel_sum, array_ops):
        assert module.kernel() == (forced or SUPPORTED[-1]), module.__name__


def test_unset_or_empty_means_the_widest():
    for value in (None, "", "  "):
        result = run_python("import fast_operations; print(fast_operations.kernel())", value)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == SUPPORTED[-1]


@pytest.mark.parametrize("kernel", SUPPORTED)
def test_a_forced_kernel_is_the_one_in_use(kernel):
    code = (
        "import fast_operations, parallel_sum, array_ops, numpy as np\n"
        "a = np.arange(1000.0)\n"
        "assert fast_operations.sum_array(a[::-1]) == parallel_sum.parallel_sum(a) == 499500.0\n"
        "print(fast_operations.kernel(), parallel_sum.kernel(), array_ops.kernel())"
    )
    result = run_python(code, kernel.upper())
    assert result.returncode == 0, result.stderr
    # Each module decides at its own import: all three obey.
    assert result.stdout.split() == [kernel] * 3


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("kernel", UNSUPPORTED)
def test_a_kernel_this_cpu_lacks_is_refused_at_import(module, kernel):
    result = run_python(f"import {module}", kernel)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError: "), result.stderr
    assert f'{VARIABLE}="{kernel}"' in last
    assert f"cannot run the {kernel} kernel" in last
    assert "it can run " + ", ".join(SUPPORTED) in last


def test_the_variable_is_read_at_import_and_never_again():
    # Changed after the imports (to a kernel this CPU lacks, then to nonsense), it changes
    # nothing: no error, no panic, the same kernel.
    other = (UNSUPPORTED or ["neon"])[0]
    code = (
        "import os, numpy as np, fast_operations, parallel_sum, array_ops\n"
        "before = fast_operations.kernel()\n"
        f"for value in ({other!r}, 'sse9'):\n"
        "    os.environ['FAST_OPERATIONS_KERNEL'] = value\n"
        "    a = np.arange(100_000.0)\n"
        "    assert fast_operations.sum_array(a[::2]) == parallel_sum.parallel_sum(a[::2])\n"
        "    array_ops.square_numpy_array_rust(a)\n"
        "    assert fast_operations.kernel() == parallel_sum.kernel() == before\n"
        "    assert array_ops.kernel() == before\n"
        "print(before)"
    )
    result = run_python(code, SUPPORTED[0])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SUPPORTED[0]


@pytest.mark.parametrize("module", MODULES)
def test_an_unknown_kernel_is_refused_at_import(module):
    result = run_python(f"import {module}", "sse9")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError: "), result.stderr
    assert f'{VARIABLE}="sse9" names no kernel' in last
    assert "expected one of baseline, avx2, avx512, neon" in last


@pytest.mark.skipif(os.environ.get(VARIABLE), reason="already inside a run under a forced kernel")
@pytest.mark.parametrize("kernel", SUPPORTED)
def test_contract_suite_passes_under_each_kernel(kernel):
    env = dict(os.environ, **{VARIABLE: kernel})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *CONTRACT_SUITE],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary
