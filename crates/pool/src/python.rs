//! One pool for every extension module of the process: the first module that calls
//! [`share`] publishes its pool in `sys.modules`, and the modules that call it later adopt
//! that pool instead of starting their own.

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};
use std::ffi::CStr;
use std::ptr::NonNull;

/// The `sys.modules` entry that holds the process's pool.
const REGISTRY: &str = "_numpy_tutorial_pool";
/// The capsule's attribute on that entry; a new layout of [`crate::Shared`] needs a new one.
const ATTRIBUTE: &str = "pool_v1";
/// The capsule's name, checked when it is read.
const NAME: &CStr = c"_numpy_tutorial_pool.pool_v1";

/// Makes this module's parallel work run on the process's one pool: another module's, if
/// one has published its pool already, else this module's own, published for the others.
/// Call it when the module is initialised, before any parallel work.
pub fn share(py: Python<'_>) -> PyResult<()> {
    let modules = py.import("sys")?.getattr("modules")?;
    if let Ok(registry) = modules.get_item(REGISTRY) {
        // A registry without this layout's capsule is from another version: keep our own pool.
        let capsule = registry.getattr(ATTRIBUTE).ok();
        if let Some(capsule) = capsule.and_then(|c| c.cast_into::<PyCapsule>().ok()) {
            let shared = capsule.pointer_checked(Some(NAME))?;
            // SAFETY: a capsule of this name holds a pointer to some module's
            // `pool::SHARED`, a static of a module that is never unloaded.
            unsafe { crate::adopt(shared.as_ptr().cast()) };
        }
        return Ok(());
    }
    // SAFETY: the pointer is to a static, valid for the rest of the process; no destructor.
    let capsule =
        unsafe { PyCapsule::new_with_pointer(py, NonNull::from(&crate::SHARED).cast(), NAME) }?;
    let registry = PyModule::new(py, REGISTRY)?;
    registry.add(
        "__doc__",
        "The thread pool shared by the tutorial's extension modules.",
    )?;
    registry.add(ATTRIBUTE, capsule)?;
    modules.set_item(REGISTRY, registry)
}
