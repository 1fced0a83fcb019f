//! # `pool`: one pool of threads per process, for the sections that run on all cores
//!
//! [`for_each`] runs `task(0)`, ..., `task(n - 1)`, each once, and returns when all are done.
//! The calling thread claims tasks from a shared counter and runs them itself; the helper
//! threads it asks for claim from the same counter. So:
//! - a caller never waits for a helper to wake up, only for tasks that a helper is running:
//!   a helper that starts late finds nothing left and returns;
//! - callers on different threads each work through their own tasks: they run at the same
//!   time, and share the threads out (each asks for its share of the helpers);
//! - with one thread (`RAYON_NUM_THREADS=1`), or when no helper thread can be started, the
//!   caller runs every task alone.
//!
//! The helpers are a rayon `ThreadPool`, but not rayon's global pool, for three reasons:
//! - after `fork()` a child has only the thread that forked: the pool's threads are gone,
//!   and a call that waits for them waits forever. [`threads`] and [`for_each`] notice the new
//!   process (its id, and a count of forks kept by a `pthread_atfork` handler) and start
//!   fresh helpers there.
//! - each Python extension module links its own copy of rayon, hence its own global pool.
//!   The modules share one pool instead: the first one imported publishes its pool as a
//!   [`Shared`] table of C functions, and the others [`adopt`] it (`python::share`).
//! - when its threads cannot start, rayon's global pool panics on calls from other threads;
//!   here the pool starts as many as it can, and [`threads`] says how many.
//!
//! The pure Rust core: with the `python` feature, also the capsule that shares the pool.
#![deny(missing_docs)]

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::cell::Cell;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, Thread};

#[cfg(feature = "python")]
pub mod python;

/// Runs `task(i)` for every `i` in `0..n`, each once, on the calling thread and the pool's
/// helpers, and returns when all have finished. If a task panics, the others still run,
/// and then this call panics.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// let total = AtomicUsize::new(0);
/// pool::for_each(100, &|i| {
///     total.fetch_add(i, Ordering::Relaxed);
/// });
/// assert_eq!(total.into_inner(), 4950);
/// ```
pub fn for_each(n: usize, task: &(dyn Fn(usize) + Sync)) {
    let limit = LIMIT.get();
    match adopted() {
        Some(shared) => shared.run(n, limit, task),
        None => run(n, limit, task),
    }
}

/// The number of threads [`for_each`] runs tasks on, when called from this thread: the
/// caller and the helpers that could be started. It is `RAYON_NUM_THREADS` when that is set
/// to a positive number, else the number of cores, unless the system refused to start that
/// many threads, or [`with_threads`] asks for fewer.
pub fn threads() -> usize {
    let started = match adopted() {
        Some(shared) => (shared.threads)(),
        None => helpers().threads,
    };
    started.min(LIMIT.get())
}

thread_local! {
    /// The most threads this thread's calls of [`for_each`] may use ([`with_threads`]).
    static LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// `f()`, with this thread's calls of [`for_each`] using at most `threads` threads (at
/// least one: the caller).
///
/// ```
/// assert_eq!(pool::with_threads(1, pool::threads), 1);
/// ```
pub fn with_threads<R>(threads: usize, f: impl FnOnce() -> R) -> R {
    /// Puts the earlier limit back, even if `f` panics.
    struct Restore(usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            LIMIT.set(self.0);
        }
    }
    let _restore = Restore(LIMIT.replace(threads.max(1)));
    f()
}

/// `[f(0), ..., f(n - 1)]`, computed as [`for_each`] runs tasks.
///
/// ```
/// assert_eq!(pool::map(4, |i| i * i), vec![0, 1, 4, 9]);
/// ```
pub fn map<R: Send + Sync>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let results: Vec<OnceLock<R>> = (0..n).map(|_| OnceLock::new()).collect();
    for_each(n, &|i| {
        let _ = results[i].set(f(i));
    });
    results
        .into_iter()
        .map(|result| result.into_inner().expect("for_each ran every task"))
        .collect()
}

/// `f(item)` for every item of `items`, each on one thread, as [`for_each`] runs tasks.
///
/// ```
/// let mut values = [1, 2, 3];
/// pool::for_each_mut(&mut values, |x| *x *= 10);
/// assert_eq!(values, [10, 20, 30]);
/// ```
pub fn for_each_mut<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync) {
    // One lock per item, taken once by the one task that owns it: a safe way to hand each
    // task its own `&mut`.
    let items: Vec<Mutex<&mut T>> = items.iter_mut().map(Mutex::new).collect();
    for_each(items.len(), &|i| {
        f(&mut items[i].lock().unwrap_or_else(PoisonError::into_inner))
    });
}

/// Which process this is: its id, and how many forks made it from the process whose
/// helpers were started first. Either changes in a child of `fork()`: the id (unless it is the
/// id of a process that has exited), and the count (unless the fork skipped the atfork
/// handlers, as a raw `clone` does).
#[derive(Clone, Copy, PartialEq)]
struct Process {
    pid: u32,
    forks: usize,
}

/// How many forks made this process, counted by a `pthread_atfork` handler in each child.
static FORKS: AtomicUsize = AtomicUsize::new(0);

impl Process {
    fn current() -> Process {
        #[cfg(unix)]
        {
            static COUNTING: AtomicBool = AtomicBool::new(false);
            extern "C" fn in_child() {
                FORKS.fetch_add(1, Ordering::Relaxed);
            }
            if !COUNTING.swap(true, Ordering::Relaxed) {
                // SAFETY: the handler only adds to an atomic, which is safe in a child of
                // fork() even when the parent had other threads.
                unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
                // rayon's threads set up crossbeam-epoch's global collector on first use,
                // behind a `Once`: a fork that catches one of them inside it leaves it locked
                // in the child, whose helpers then wait forever. Set up now, before any
                // helper exists, it is never caught half-done.
                crossbeam_epoch::default_collector();
            }
        }
        Process {
            pid: std::process::id(),
            forks: FORKS.load(Ordering::Relaxed),
        }
    }
}

/// This process's helper threads: `threads - 1` of them in `pool`, started by `process`.
struct Helpers {
    process: Process,
    threads: usize,
    pool: Option<ThreadPool>,
    /// How many calls of [`run`] are under way, from all threads.
    callers: AtomicUsize,
}

impl Helpers {
    /// As many helpers as asked for (see [`threads`]), or half as many each time the system
    /// refuses to start them, down to none.
    fn start(process: Process) -> Helpers {
        let mut helpers = wanted_threads() - 1;
        while helpers > 0 {
            // The threads of an attempt that fails are told to stop; waiting until they have
            // (their handles) frees their stacks for the next attempt, and leaves no thread
            // behind that the count does not include.
            let mut started = Vec::new();
            let pool = ThreadPoolBuilder::new()
                .num_threads(helpers)
                .spawn_handler(|helper| {
                    let name = format!("pool-helper-{}", helper.index());
                    let thread = thread::Builder::new().name(name).spawn(|| helper.run())?;
                    started.push(thread);
                    Ok(())
                })
                .build();
            if let Ok(pool) = pool {
                return Helpers {
                    process,
                    threads: helpers + 1,
                    pool: Some(pool),
                    callers: AtomicUsize::new(0),
                };
            }
            for thread in started {
                let _ = thread.join();
            }
            helpers /= 2;
        }
        Helpers {
            process,
            threads: 1,
            pool: None,
            callers: AtomicUsize::new(0),
        }
    }
}

/// `RAYON_NUM_THREADS` when it is a positive number (rayon's own convention), else the
/// number of cores.
fn wanted_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .filter(|&threads: &usize| threads > 0)
        .or_else(|| thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
}

/// This process's helpers, started on first use and again in a forked child.
///
/// Lock-free on purpose: a lock held by another thread at the moment of a `fork()` would
/// stay locked forever in the child.
fn helpers() -> &'static Helpers {
    static HELPERS: AtomicPtr<Helpers> = AtomicPtr::new(ptr::null_mut());
    let process = Process::current();
    loop {
        let current = HELPERS.load(Ordering::Acquire);
        // SAFETY: HELPERS holds null or a pointer from Box::into_raw below that was never
        // freed (the ones that lost the race are freed, never stored).
        if let Some(helpers) = unsafe { current.as_ref() }
            && helpers.process == process
        {
            return helpers;
        }
        let fresh = Box::into_raw(Box::new(Helpers::start(process)));
        match HELPERS.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            // The parent's helpers, if any, stay allocated: in a child, their threads do not
            // exist, so they must not be told to stop; they are never used again.
            // SAFETY: `fresh` is from Box::into_raw just above and is never freed.
            Ok(_) => return unsafe { &*fresh },
            // Another thread started helpers first: ours stop, and the loop takes theirs.
            // SAFETY: `fresh` is from Box::into_raw above and was not stored anywhere.
            Err(_) => drop(unsafe { Box::from_raw(fresh) }),
        }
    }
}

/// One call of [`run`]: its tasks, the counters that hand them out, and who to wake.
struct Job {
    n: usize,
    /// The next task to claim.
    next: AtomicUsize,
    /// How many tasks have finished.
    done: AtomicUsize,
    /// The message of the first task that panicked, if one did.
    panic: Mutex<Option<String>>,
    caller: Thread,
    /// The caller's task, its lifetime erased: see [`Job::work`] for why it is alive
    /// whenever it is called.
    task: *const (dyn Fn(usize) + Sync),
}

// SAFETY: `task` points at a `Sync` closure, called only while it is alive (Job::work), and
// the rest of Job is atomics and a thread handle.
unsafe impl Send for Job {}
// SAFETY: as for Send.
unsafe impl Sync for Job {}

impl Job {
    /// Claims tasks and runs them until none is left.
    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.n {
                return;
            }
            // SAFETY: task `i` is claimed and not done, so `done < n`, and the caller is
            // still in `run`, waiting for `done == n` before its borrow of the task ends.
            let task = unsafe { &*self.task };
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| task(i))) {
                let mut panic = self.panic.lock().unwrap_or_else(PoisonError::into_inner);
                panic.get_or_insert_with(|| panic_message(payload.as_ref()).to_owned());
                // A payload's own drop may panic too: that must not escape either.
                let _ = catch_unwind(AssertUnwindSafe(|| drop(payload)));
            }
            // Release: the task's writes are seen by the caller that sees the count.
            if self.done.fetch_add(1, Ordering::Release) + 1 == self.n {
                self.caller.unpark();
            }
        }
    }
}

/// [`for_each`] on this copy of the crate's own helpers, with at most `limit` threads.
fn run(n: usize, limit: usize, task: &(dyn Fn(usize) + Sync)) {
    let helpers = helpers();
    // Callers at the same moment share the threads out: two callers on two cores each work
    // alone, rather than each waking a helper that has no core left to run on.
    let callers = Caller::enter(&helpers.callers);
    let share = (helpers.threads.min(limit) / callers.count).max(1);
    let asked = (share - 1).min(n.saturating_sub(1));
    let Some(pool) = helpers.pool.as_ref().filter(|_| asked > 0) else {
        // The caller alone, with the same promise: every task runs, then a panic goes on.
        let mut first_panic = None;
        for i in 0..n {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| task(i))) {
                first_panic.get_or_insert(payload);
            }
        }
        if let Some(payload) = first_panic {
            resume_unwind(payload);
        }
        return;
    };
    // SAFETY: only the lifetime changes; Job::work calls the task only while this call
    // waits for every task (`WaitForAll`, even if this call unwinds), so never after the
    // borrow ends.
    let task: &'static (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(task) };
    let job = Arc::new(Job {
        n,
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        panic: Mutex::new(None),
        caller: thread::current(),
        task,
    });
    let all_done = WaitForAll(&job);
    for _ in 0..asked {
        let job = Arc::clone(&job);
        pool.spawn(move || job.work());
    }
    job.work();
    drop(all_done);
    if let Some(message) = job
        .panic
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        panic!("a task of pool::for_each panicked: {message}");
    }
}

/// Waits, when dropped, until every task of the job has finished: on the way out of [`run`],
/// whether it returns or unwinds, so that no helper can call the task after its borrow ends.
struct WaitForAll<'a>(&'a Job);

impl Drop for WaitForAll<'_> {
    fn drop(&mut self) {
        // A helper's last task usually ends within microseconds of the caller's: spin a
        // little before paying for a sleep and a wake-up.
        let mut spins = 0;
        while self.0.done.load(Ordering::Acquire) < self.0.n {
            if spins < 1 << 12 {
                spins += 1;
                std::hint::spin_loop();
            } else {
                thread::park();
            }
        }
    }
}

/// One call of [`run`] under way, counted in `count` until it ends.
struct Caller<'a> {
    callers: &'a AtomicUsize,
    /// The calls under way when this one began, itself included.
    count: usize,
}

impl<'a> Caller<'a> {
    fn enter(callers: &'a AtomicUsize) -> Self {
        let count = callers.fetch_add(1, Ordering::Relaxed) + 1;
        Caller { callers, count }
    }
}

impl Drop for Caller<'_> {
    fn drop(&mut self) {
        self.callers.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What a panic said, when it said it with a string (as `panic!` and `assert!` do), from
/// the payload that `catch_unwind` returns.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("{} values", 3)).unwrap_err();
/// assert_eq!(pool::panic_message(payload.as_ref()), "3 values");
/// ```
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// A pool as another copy of this crate sees it: C functions, so that extension modules
/// built apart (each with its own copy of this crate and of rayon) can share one pool.
#[repr(C)]
pub struct Shared {
    /// [`for_each`] with at most `threads` threads, the task as a C function and its context.
    for_each: unsafe extern "C" fn(
        n: usize,
        threads: usize,
        context: *const c_void,
        task: unsafe extern "C" fn(context: *const c_void, i: usize),
    ),
    /// [`threads`].
    threads: extern "C" fn() -> usize,
}

/// This copy's pool, for other copies to [`adopt`].
pub static SHARED: Shared = Shared {
    for_each: for_each_c,
    threads: threads_c,
};

/// Another copy's pool, once adopted.
static ADOPTED: AtomicPtr<Shared> = AtomicPtr::new(ptr::null_mut());

/// Runs this copy's [`for_each`] on `shared` from now on: one pool for the whole process.
///
/// # Safety
/// `shared` must point at a [`Shared`] that stays valid for the rest of the process (another
/// copy's [`SHARED`]).
pub unsafe fn adopt(shared: *const Shared) {
    if !ptr::eq(shared, &SHARED) {
        ADOPTED.store(shared.cast_mut(), Ordering::Release);
    }
}

fn adopted() -> Option<&'static Shared> {
    // SAFETY: ADOPTED holds null or a pointer that `adopt`'s caller promised valid forever.
    unsafe { ADOPTED.load(Ordering::Acquire).as_ref() }
}

impl Shared {
    /// [`for_each`] through the C functions: a task's panic is caught on this side and
    /// raised again here, as no unwinding may cross a C function.
    fn run(&self, n: usize, limit: usize, task: &(dyn Fn(usize) + Sync)) {
        struct Context<'a> {
            task: &'a (dyn Fn(usize) + Sync),
            /// The message of the first task that panicked, if one did.
            panic: Mutex<Option<String>>,
        }
        unsafe extern "C" fn call(context: *const c_void, i: usize) {
            // SAFETY: `context` is the Context below, alive until `for_each` returns.
            let context = unsafe { &*context.cast::<Context<'_>>() };
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (context.task)(i))) {
                let mut panic = context.panic.lock().unwrap_or_else(PoisonError::into_inner);
                panic.get_or_insert_with(|| panic_message(payload.as_ref()).to_owned());
                let _ = catch_unwind(AssertUnwindSafe(|| drop(payload)));
            }
        }
        let context = Context {
            task,
            panic: Mutex::new(None),
        };
        // SAFETY: `call` reads `context` only while for_each runs, and Context is Sync.
        unsafe { (self.for_each)(n, limit, ptr::from_ref(&context).cast(), call) };
        let panic = context.panic.into_inner();
        if let Some(message) = panic.unwrap_or_else(PoisonError::into_inner) {
            panic!("a task of pool::for_each panicked: {message}");
        }
    }
}

unsafe extern "C" fn for_each_c(
    n: usize,
    limit: usize,
    context: *const c_void,
    task: unsafe extern "C" fn(*const c_void, usize),
) {
    /// The task's context, shared by the threads that run tasks.
    struct Context(*const c_void);
    // SAFETY: the caller's context is Sync (Shared::for_each), and only read.
    unsafe impl Sync for Context {}
    impl Context {
        fn get(&self) -> *const c_void {
            self.0
        }
    }
    let context = Context(context);
    // SAFETY: `task` and `context` come together from Shared::for_each, which keeps the
    // context alive until this returns; `task` catches its own panics.
    run(n, limit, &|i| unsafe { task(context.get(), i) });
}

extern "C" fn threads_c() -> usize {
    helpers().threads
}
