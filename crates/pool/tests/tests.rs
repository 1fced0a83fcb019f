//! The pool's promises: every task runs once, callers on many threads at once, panics come
//! back to the caller, a forked child works.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Holds off the other tests of this file: the pool shares its threads out among the calls
/// under way, so a test that needs the helpers must be the only caller.
fn alone() -> MutexGuard<'static, ()> {
    static TESTS: Mutex<()> = Mutex::new(());
    TESTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How many times each of `n` tasks ran.
fn runs(n: usize) -> Vec<usize> {
    let counts: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
    pool::for_each(n, &|i| {
        counts[i].fetch_add(1, Ordering::Relaxed);
    });
    counts.into_iter().map(AtomicUsize::into_inner).collect()
}

/// Whether two tasks ran at the same time: each waits (up to 10 s) for the other to start,
/// which only a helper thread can make happen, since the caller runs one task at a time.
fn helpers_take_part() -> bool {
    let started = AtomicUsize::new(0);
    let met = AtomicUsize::new(0);
    pool::for_each(2, &|_| {
        started.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while started.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
            std::hint::spin_loop();
        }
        if started.load(Ordering::SeqCst) == 2 {
            met.fetch_add(1, Ordering::SeqCst);
        }
    });
    met.into_inner() == 2
}

#[test]
fn helpers_run_tasks_beside_the_caller() {
    let _alone = alone();
    if pool::threads() >= 2 {
        assert!(helpers_take_part());
    }
}

#[test]
fn every_task_runs_exactly_once() {
    let _alone = alone();
    for n in [0, 1, 2, 3, 7, 64, 1000] {
        assert_eq!(runs(n), vec![1; n], "n = {n}");
    }
}

#[test]
fn map_keeps_the_order_and_for_each_mut_reaches_every_item() {
    let _alone = alone();
    assert_eq!(
        pool::map(1000, |i| i as u64 * 3),
        (0..1000).map(|i| i * 3).collect::<Vec<u64>>()
    );
    let mut items: Vec<Vec<u32>> = (0..100).map(|i| vec![i; 3]).collect();
    pool::for_each_mut(&mut items, |item| item.iter_mut().for_each(|x| *x += 1));
    assert!(
        items
            .iter()
            .enumerate()
            .all(|(i, item)| item == &vec![i as u32 + 1; 3])
    );
}

#[test]
fn callers_on_many_threads_at_once_each_get_all_their_tasks() {
    let _alone = alone();
    let start = Barrier::new(8);
    std::thread::scope(|scope| {
        for caller in 0..8 {
            let start = &start;
            scope.spawn(move || {
                start.wait();
                for round in 0..200 {
                    let n = 1 + (caller * 7 + round) % 40;
                    assert_eq!(runs(n), vec![1; n]);
                }
            });
        }
    });
}

#[test]
fn a_task_that_panics_panics_the_call_after_the_others_ran() {
    let _alone = alone();
    let ran = AtomicUsize::new(0);
    let call = std::panic::catch_unwind(|| {
        pool::for_each(64, &|i| {
            ran.fetch_add(1, Ordering::Relaxed);
            assert_ne!(i, 5, "task 5 fails");
        })
    });
    let message = call.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("task 5 fails"), "{message}");
    assert_eq!(ran.into_inner(), 64);
    assert_eq!(runs(10), vec![1; 10]); // and the pool still works
}

#[test]
fn no_task_runs_after_the_call_even_when_a_panic_escapes_it() {
    let _alone = alone();
    /// A panic payload whose drop panics: the caller's catch cannot hold it back.
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("the payload's drop panics");
            }
        }
    }
    let running = AtomicUsize::new(0);
    for _ in 0..20 {
        let call = std::panic::catch_unwind(|| {
            pool::for_each(64, &|i| {
                running.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_micros(200));
                running.fetch_sub(1, Ordering::SeqCst);
                if i == 0 {
                    std::panic::panic_any(PanicOnDrop);
                }
            })
        });
        assert!(call.is_err());
        assert_eq!(
            running.load(Ordering::SeqCst),
            0,
            "a task outlived the call"
        );
    }
}

#[test]
fn with_threads_limits_the_threads_and_restores_the_limit() {
    let _alone = alone();
    let all = pool::threads();
    assert_eq!(pool::with_threads(1, pool::threads), 1);
    assert_eq!(pool::with_threads(0, pool::threads), 1);
    assert_eq!(pool::with_threads(usize::MAX, pool::threads), all);
    assert_eq!(pool::with_threads(1, || runs(50)), vec![1; 50]);
    // One thread: the caller alone, so two tasks never meet.
    assert!(pool::with_threads(1, || {
        let caller = std::thread::current().id();
        pool::map(20, |_| std::thread::current().id() == caller)
            .into_iter()
            .all(|on_caller| on_caller)
    }));
    assert_eq!(pool::threads(), all);
}

#[test]
fn threads_is_at_least_one_and_stable() {
    let _alone = alone();
    let threads = pool::threads();
    assert!(threads >= 1);
    assert_eq!(pool::threads(), threads);
}

#[cfg(unix)]
#[test]
fn a_forked_child_runs_tasks_on_fresh_helpers() {
    let _alone = alone();
    // The parent's helpers exist and have worked before the fork.
    assert_eq!(runs(100), vec![1; 100]);
    let threads = pool::threads();
    // SAFETY: the child only runs the pool's lock-free code, allocates, and exits with
    // _exit, without running the parent's destructors or test harness.
    let child = unsafe { libc::fork() };
    assert!(child >= 0, "fork failed");
    if child == 0 {
        let ok = runs(100) == vec![1; 100]
            && pool::threads() == threads
            && (threads == 1 || helpers_take_part());
        // SAFETY: _exit ends the child at once, as a forked child of a threaded process should.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child made above; `status` is a valid int to write.
    let waited = unsafe { libc::waitpid(child, &mut status, 0) };
    assert_eq!(waited, child);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child status {status}"
    );
}
