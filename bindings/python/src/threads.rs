//! Where the heavy work runs: with the GIL released, on how many threads.
//!
//! Every call that derives, loads or matches converts its arguments to Rust
//! values first, then runs [`run`], which releases the GIL
//! (`Python::detach`) so that other Python threads go on meanwhile.
//!
//! The number of worker threads of the parallel parts (indexing, matching,
//! hashing a batch file):
//!
//! 1. the `threads` argument, where a function takes one;
//! 2. one in a child process after `os.fork()`: the parent's worker threads
//!    do not exist in the child, so its global pool must not be used (the
//!    package registers [`after_fork_in_child`] with
//!    `os.register_at_fork`);
//! 3. the environment variable `BLUEZONE_THREADS` (a positive integer;
//!    `BLUEZONE_THREADS=1` turns parallelism off);
//! 4. otherwise rayon's global pool: one thread per core, or
//!    `RAYON_NUM_THREADS`.
//!
//! In the first three cases the work runs in a pool of its own, made for the
//! call.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;

use crate::error::{CoreResult, internal_error, value_error};

/// The environment variable that sets the number of worker threads.
pub(crate) const THREADS_VARIABLE: &str = "BLUEZONE_THREADS";

/// Set in a child process after `os.fork()`.
static FORKED: AtomicBool = AtomicBool::new(false);

/// Marks this process as the child of a fork, whose work then runs on one
/// thread unless a call asks for more. Registered by the package with
/// `os.register_at_fork(after_in_child=...)`; not for direct use.
#[pyfunction]
#[pyo3(name = "_after_fork_in_child")]
pub(crate) fn after_fork_in_child() {
    FORKED.store(true, Ordering::SeqCst);
}

/// The number of worker threads that a call with `threads=None` uses: 1 in
/// a child process after `os.fork()`, else the environment variable
/// `BLUEZONE_THREADS`, else one per core (or `RAYON_NUM_THREADS`).
///
/// Raises BluezoneError when `BLUEZONE_THREADS` is not a positive integer.
#[pyfunction]
pub(crate) fn default_threads() -> PyResult<usize> {
    Ok(pool_size(None)?.unwrap_or_else(rayon::current_num_threads))
}

/// The size of the pool of a call: `None` for rayon's global pool.
pub(crate) fn pool_size(requested: Option<usize>) -> PyResult<Option<usize>> {
    if requested.is_some() {
        return Ok(requested);
    }
    if FORKED.load(Ordering::SeqCst) {
        return Ok(Some(1));
    }
    match std::env::var(THREADS_VARIABLE) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(threads) if threads > 0 => Ok(Some(threads)),
            _ => Err(value_error(format!(
                "{THREADS_VARIABLE} must be a positive integer, found {text:?}"
            ))),
        },
        Err(std::env::VarError::NotUnicode(text)) => Err(value_error(format!(
            "{THREADS_VARIABLE} must be a positive integer, found {}",
            text.display()
        ))),
    }
}

/// A `threads` argument: a positive number, or `None`.
pub(crate) fn threads_argument(threads: Option<i64>) -> PyResult<Option<usize>> {
    threads
        .map(|threads| {
            usize::try_from(threads)
                .ok()
                .filter(|&threads| (1..=4096).contains(&threads))
                .ok_or_else(|| {
                    value_error(format!(
                        "threads must be from 1 to 4096 (or None), found {threads}"
                    ))
                })
        })
        .transpose()
}

/// Runs `work` with the GIL released, in a pool of `threads` workers
/// ([`pool_size`] of it), catching any panic.
pub(crate) fn run<T, F>(py: Python<'_>, threads: Option<usize>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> bluezone::Result<T> + Send,
{
    let threads = pool_size(threads)?;
    let outcome = py.detach(move || {
        catch_unwind(AssertUnwindSafe(move || match threads {
            None => Ok(work()),
            Some(threads) => rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map(|pool| pool.install(work))
                .map_err(|err| bluezone::Error::Threads {
                    threads,
                    reason: err.to_string(),
                }),
        }))
    });
    match outcome {
        Ok(result) => result.py()?.py(),
        Err(payload) => Err(internal_error(payload.as_ref())),
    }
}
