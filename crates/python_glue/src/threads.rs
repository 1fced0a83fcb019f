//! The `threads=` argument of the functions that run on the process's pool of threads.

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::PyBool;

use crate::{InputError, type_name};

/// `f()`, its calls of the pool using at most `threads` threads (`None`: all of the pool's),
/// after checking `threads`: an int of at least 1 (anything with `__index__`, as NumPy takes
/// its ints, but not a bool, as NumPy's `axis=` refuses one). `func` names the function in
/// error messages.
///
/// The cap holds for the calling thread only ([`pool::with_threads`]), which is enough:
/// `f` makes its pool calls on the calling thread (releasing the GIL does not change thread),
/// and the tasks the helpers run start no pool calls of their own.
pub fn with_thread_limit<R>(
    func: &'static str,
    threads: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce() -> PyResult<R>,
) -> PyResult<R> {
    match thread_limit(func, threads)? {
        Some(limit) => pool::with_threads(limit, f),
        None => f(),
    }
}

/// The cap `threads` asks for, `None` for none.
fn thread_limit(
    func: &'static str,
    threads: Option<&Bound<'_, PyAny>>,
) -> Result<Option<usize>, InputError> {
    let Some(threads) = threads.filter(|threads| !threads.is_none()) else {
        return Ok(None);
    };
    let not_an_int = || InputError::ThreadsNotAnInt {
        func,
        got: type_name(threads),
    };
    if threads.is_instance_of::<PyBool>() {
        return Err(not_an_int());
    }
    // i64 extraction calls `__index__`, so NumPy integers are ints too, and floats are not.
    let limit = match threads.extract::<i64>() {
        Ok(limit) => limit,
        // An int beyond i64: below 1 if negative, else a cap above any pool.
        Err(error) if error.is_instance_of::<PyOverflowError>(threads.py()) => {
            let negative = threads.lt(0)?;
            if negative { i64::MIN } else { i64::MAX }
        }
        Err(_) => return Err(not_an_int()),
    };
    if limit < 1 {
        return Err(InputError::ThreadsBelowOne {
            func,
            got: threads.repr()?.to_string(),
        });
    }
    Ok(Some(usize::try_from(limit).unwrap_or(usize::MAX)))
}
