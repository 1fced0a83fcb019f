//! `array_ops.square`: the square as a NumPy ufunc, NumPy's own way to wrap an element-wise
//! C function.
//!
//! NumPy does everything around the arithmetic: it converts scalars and lists, broadcasts,
//! picks a loop by dtype (`dtype=`, `casting=`), allocates or checks `out=`, applies
//! `where=`, copies operands that overlap, buffers what is misaligned or byte-swapped, cuts
//! N-D operands into 1-D runs, releases the GIL, turns floating-point flags into warnings,
//! and hands the call to `__array_ufunc__` overrides (Dask, xarray, masked arrays). What it
//! asks of us is one *inner loop* per dtype: `out[i] = in[i]²` over `n` values `step` bytes
//! apart. [`square_loop`] is that loop for every dtype; [`Kernels`] says what differs.
//!
//! No panic may unwind out of an `extern "C"` loop (the process would abort), so the loops
//! are built from operations that cannot panic: raw reads and writes, wrapping or saturating
//! arithmetic, zipped iterators (no indexing), integer squares that wrap ([`crate::Square`]);
//! the thread pool panics only when a task does, and its tasks are these same kernels.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::atomic::{AtomicI32, Ordering};

use numpy::npyffi::{PY_UFUNC_API, PyUFuncGenericFunction, npy_intp};
use numpy::{Element, PyArrayDescrMethods, dtype};
use pyo3::prelude::*;

use crate::Square;

/// The ufunc's `__name__`.
const NAME: &CStr = c"square";

/// The ufunc's docstring, above the signature and parameter list NumPy writes itself.
const DOC: &CStr =
    c"Square element-wise, as np.square does, with the tutorial's C square_array where it can.

A NumPy ufunc with loops for float64, float32, int64 and int32 (other dtypes are cast to the
first of these they cast to safely; integer squares wrap on overflow, as np.square's do). The
float64 loop squares a contiguous run in place (out=x) with the tutorial's C square_array, and
every other run with a Rust kernel; long runs are shared out over all cores. NumPy does the
rest, as for np.square: scalars and lists, broadcasting, out=, where=, dtype=, casting=,
overlapping operands, and __array_ufunc__ overrides (Dask arrays, xarray objects, masked
arrays).

>>> import numpy as np
>>> square(np.array([1.0, -2.0, 3.0]))
array([1., 4., 9.])";

/// `PyUFunc_None` (numpy/ufuncobject.h): the square has no identity (it is not a reduction).
const PY_UFUNC_NONE: c_int = -1;

/// What a dtype's loop squares runs with, beside the strided loop every dtype shares.
trait Kernels: Square + Element {
    /// Squares a contiguous run in place (NumPy passes the same pointer as input and output).
    fn in_place(run: &mut [Self]) {
        crate::square_slice(run);
    }
}

impl Kernels for f64 {
    /// The tutorial's C `square_array`, which squares in place: the run it was written for.
    fn in_place(run: &mut [f64]) {
        crate::ffi::square_array_c(run);
    }
}

impl Kernels for f32 {}
impl Kernels for i64 {}
impl Kernels for i32 {}

/// `array_ops.square`, a new ufunc object with a loop for each of int32, int64, float32 and
/// float64.
pub(crate) fn square(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    // NumPy takes the first loop its inputs cast to safely, so the loops go from the
    // narrowest type up: int16 gets the int32 loop, float16 the float32 one.
    let loops: [(PyUFuncGenericFunction, c_int); 4] = [
        (Some(square_loop::<i32>), dtype::<i32>(py).num()),
        (Some(square_loop::<i64>), dtype::<i64>(py).num()),
        (Some(square_loop::<f32>), dtype::<f32>(py).num()),
        (Some(square_loop::<f64>), dtype::<f64>(py).num()),
    ];
    // NumPy keeps these three pointers, and writes into the functions' array, for the life of
    // the ufunc, which is the life of the process (a module is not unloaded): leaked, once
    // per import of the module.
    let functions: &'static mut [PyUFuncGenericFunction; 4] =
        Box::leak(Box::new(loops.map(|(function, _)| function)));
    let data: &'static mut [*mut c_void; 4] = Box::leak(Box::new([std::ptr::null_mut(); 4]));
    // One (input, output) pair of type numbers per loop; NumPy's built-in type numbers are
    // below 24, so they fit a `char`.
    let mut pairs = [0 as c_char; 8];
    for (pair, (_, number)) in pairs.chunks_exact_mut(2).zip(loops) {
        pair.fill(number as c_char);
    }
    let types: &'static mut [c_char; 8] = Box::leak(Box::new(pairs));
    // SAFETY: the arrays hold 4 loops (ntypes), each with 1 input and 1 output type; they, the
    // name and the doc (static C strings) outlive the ufunc; each function is a loop of the
    // signature NumPy calls, for the type numbers beside it; the GIL is held (`py`).
    let ufunc = unsafe {
        PY_UFUNC_API.PyUFunc_FromFuncAndData(
            py,
            functions.as_mut_ptr(),
            data.as_mut_ptr(),
            types.as_mut_ptr(),
            4,
            1,
            1,
            PY_UFUNC_NONE,
            NAME.as_ptr(),
            DOC.as_ptr(),
            0,
        )
    };
    // SAFETY: PyUFunc_FromFuncAndData returns a new reference, or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, ufunc) }
}

/// The inner loop of `T`'s square: NumPy's `PyUFuncGenericFunction` for one input and one
/// output. `args` holds the input and output pointers, `dimensions[0]` the number of values,
/// `steps` the input's and output's strides in bytes (any sign, or zero for a broadcast
/// input). NumPy may call it with the GIL released: it touches no Python object.
///
/// A contiguous run goes to a vectorised kernel, in place ([`Kernels::in_place`]) or into a
/// separate output ([`crate::square_slice_into`]), on all cores when long; anything else
/// (strided, misaligned, or an output that partly overlaps the input, which NumPy avoids by
/// buffering but which the loop still squares in order) to a plain loop over raw pointers.
///
/// # Safety
/// NumPy's contract for a 1-in-1-out loop: `args`, `dimensions` and `steps` hold 2, 1 and 2
/// values; the input and output pointers, stepped `dimensions[0]` times, reach valid `T`s,
/// which nothing else writes during the call.
unsafe extern "C" fn square_loop<T: Kernels>(
    args: *mut *mut c_char,
    dimensions: *mut npy_intp,
    steps: *mut npy_intp,
    _data: *mut c_void,
) {
    // SAFETY: NumPy passes 2 pointers, 1 dimension and 2 steps (the contract above).
    let (input, output, n, in_step, out_step) =
        unsafe { (*args, *args.add(1), *dimensions, *steps, *steps.add(1)) };
    let n = usize::try_from(n).unwrap_or(0);
    let size = size_of::<T>() as isize;
    let aligned = (input as usize | output as usize).is_multiple_of(align_of::<T>());
    if n > 0 && in_step == size && out_step == size && aligned {
        if input == output {
            // SAFETY: `n` contiguous, aligned `T`s (NumPy's operand), which nothing else
            // uses during the call; this slice is the only reference to them.
            let run = unsafe { std::slice::from_raw_parts_mut(output.cast::<T>(), n) };
            square_in_place(run);
            return;
        }
        // Saturating: a byte count that overflowed would compare wrongly; a real array's
        // does not overflow.
        let bytes = n.saturating_mul(size_of::<T>());
        let (start_in, start_out) = (input as usize, output as usize);
        if start_in.saturating_add(bytes) <= start_out
            || start_out.saturating_add(bytes) <= start_in
        {
            // SAFETY: two runs of `n` contiguous, aligned `T`s that share no byte (checked
            // just above), so a shared and a mutable slice over them do not alias.
            let (input, output) = unsafe {
                (
                    std::slice::from_raw_parts(input.cast::<T>().cast_const(), n),
                    std::slice::from_raw_parts_mut(output.cast::<T>(), n),
                )
            };
            square_into(input, output);
            return;
        }
    }
    // SAFETY: NumPy's contract above: `n` values at these pointers and steps.
    unsafe { square_strided::<T>(n, input, in_step, output, out_step) };
}

/// Squares a contiguous run in place, on all cores when long.
fn square_in_place<T: Kernels>(run: &mut [T]) {
    if crate::parallel::runs_in_parallel(run.len()) {
        let flags = FloatFlags::start();
        crate::parallel::square_run(run, |piece| flags.record(|| T::in_place(piece)));
        flags.raise_here();
    } else {
        T::in_place(run);
    }
}

/// Squares a contiguous run into another, on all cores when long.
fn square_into<T: Kernels>(input: &[T], output: &mut [T]) {
    if crate::parallel::runs_in_parallel(output.len()) {
        let flags = FloatFlags::start();
        crate::parallel::square_run_into(input, output, |input, output| {
            flags.record(|| crate::square_slice_into(input, output))
        });
        flags.raise_here();
    } else {
        crate::square_slice_into(input, output);
    }
}

/// `out = in²` for `n` values `in_step` and `out_step` bytes apart, one at a time in order.
///
/// # Safety
/// For `i < n`, `input + i * in_step` is a valid `T` and `output + i * out_step` a valid,
/// writable `T`, not written by anyone else during the call. Alignment is not needed.
unsafe fn square_strided<T: Square>(
    n: usize,
    mut input: *const c_char,
    in_step: isize,
    mut output: *mut c_char,
    out_step: isize,
) {
    for _ in 0..n {
        // SAFETY: the i-th input and output value, valid by the caller's contract; read and
        // written unaligned, which costs nothing on x86 and is correct everywhere.
        unsafe {
            let x = input.cast::<T>().read_unaligned();
            output.cast::<T>().write_unaligned(x.square());
        }
        // Wrapping: the pointer past the last value may lie outside the array; it is never
        // read.
        input = input.wrapping_offset(in_step);
        output = output.wrapping_offset(out_step);
    }
}

/// The floating-point exception flags (overflow, underflow, invalid) of a squaring shared
/// out over the pool, gathered on the calling thread.
///
/// The flags are per thread. NumPy clears the calling thread's before the loop and turns
/// those set after it into warnings or errors (`np.errstate`): a square that overflowed on a
/// helper thread would otherwise go unreported.
struct FloatFlags {
    /// The flags raised so far: the caller's before the run, then each piece's.
    raised: AtomicI32,
}

impl FloatFlags {
    /// Notes the calling thread's flags (set by earlier runs of this ufunc call).
    fn start() -> FloatFlags {
        FloatFlags {
            raised: AtomicI32::new(fenv::test(fenv::WATCHED)),
        }
    }

    /// `square()`, on any thread, with the flags it raises added to the record.
    fn record(&self, square: impl FnOnce()) {
        fenv::clear(fenv::WATCHED);
        square();
        self.raised
            .fetch_or(fenv::test(fenv::WATCHED), Ordering::Relaxed);
    }

    /// Raises on the calling thread every flag recorded, where NumPy reads them.
    fn raise_here(self) {
        let raised = self.raised.into_inner();
        if raised != 0 {
            fenv::raise(raised);
        }
    }
}

/// C99's `<fenv.h>` status flags, which NumPy reads the same way.
mod fenv {
    use std::ffi::c_int;

    // SAFETY: the C standard library's functions of these signatures; they read or change
    // only the calling thread's floating-point status flags, and take any flag bits.
    unsafe extern "C" {
        #[link_name = "fetestexcept"]
        pub(super) safe fn test(flags: c_int) -> c_int;
        #[link_name = "feclearexcept"]
        pub(super) safe fn clear(flags: c_int) -> c_int;
        #[link_name = "feraiseexcept"]
        pub(super) safe fn raise(flags: c_int) -> c_int;
    }

    /// The flags NumPy turns into warnings: invalid, divide by zero, overflow, underflow
    /// (not inexact, which nearly every square raises); their bits differ between
    /// architectures.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    pub(super) const WATCHED: c_int = 0x01 | 0x04 | 0x08 | 0x10;
    /// As on x86, with AArch64's bits.
    #[cfg(target_arch = "aarch64")]
    pub(super) const WATCHED: c_int = 0x01 | 0x02 | 0x04 | 0x08;
    /// Elsewhere no flag is gathered from the helper threads.
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")))]
    pub(super) const WATCHED: c_int = 0;
}
