//! The `axis=` argument of the sums, read as NumPy reads it.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyTuple};

use crate::{InputError, type_name};

/// The axes `axis` names, for an array of `ndim` axes, in the order given: an int (negative
/// counts from the end; anything with `__index__` but a bool) or a tuple of them, each in
/// range, none twice. `func` names the function in error messages.
pub(crate) fn axes(
    func: &'static str,
    axis: &Bound<'_, PyAny>,
    ndim: usize,
) -> Result<Vec<usize>, InputError> {
    let given: Vec<Bound<'_, PyAny>> = match axis.cast::<PyTuple>() {
        Ok(tuple) => tuple.iter().collect(),
        Err(_) => vec![axis.clone()],
    };
    let mut axes = Vec::with_capacity(given.len());
    for item in &given {
        let given = index(func, item)?;
        let counted = if given < 0 {
            ndim.checked_sub(given.unsigned_abs())
        } else {
            Some(given.unsigned_abs())
        };
        let Some(normal) = counted.filter(|&a| a < ndim) else {
            return Err(InputError::AxisOutOfRange {
                func,
                axis: given,
                ndim,
            });
        };
        if axes.contains(&normal) {
            return Err(InputError::AxisRepeated {
                func,
                got: axis
                    .repr()
                    .map_or_else(|_| "?".into(), |repr| repr.to_string()),
            });
        }
        axes.push(normal);
    }
    Ok(axes)
}

/// One axis as an int, as `operator.index` reads it; a bool is refused (as NumPy does).
fn index(func: &'static str, item: &Bound<'_, PyAny>) -> Result<isize, InputError> {
    if item.is_instance_of::<PyBool>() {
        return Err(InputError::AxisNotAnInt {
            func,
            got: "bool".into(),
        });
    }
    item.extract::<isize>()
        .map_err(|_| InputError::AxisNotAnInt {
            func,
            got: type_name(item),
        })
}
