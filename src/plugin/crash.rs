//! A panic is a crash, reported the way Terraform recognises one.
//!
//! Terraform (through go-plugin) watches the provider's stderr for a line
//! starting with `panic: `; it then keeps the following lines as the crash
//! report and tells the user the provider crashed, instead of showing a bare
//! "connection closed". Go providers get this for free; we print the same
//! shape from a panic hook, remove the socket, and exit with status 2 (Go's
//! crash status) rather than limp on with a half-dead connection task.
//!
//! Only [`serve`](super::serve()) installs the hook, so unit tests and tools
//! that use the library keep Rust's default panic behaviour.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

/// Socket file and directory to remove if we crash.
static CLEANUP: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Remembers paths to delete on a crash (files first, then directories).
pub(crate) fn remove_on_crash(paths: impl IntoIterator<Item = PathBuf>) {
    if let Ok(mut list) = CLEANUP.lock() {
        list.extend(paths);
    }
}

/// Installs the crash hook for the rest of the process.
pub(crate) fn install() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string panic payload)".to_owned());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let thread = std::thread::current();
        let backtrace = std::backtrace::Backtrace::force_capture();
        let mut err = std::io::stderr().lock();
        // Nothing useful can be done if stderr itself is gone.
        let _ = writeln!(
            err,
            "panic: {message}\n\nthread {:?} at {location}\n{backtrace}",
            thread.name().unwrap_or("unnamed")
        );
        let _ = err.flush();
        if let Ok(list) = CLEANUP.lock() {
            for p in list.iter() {
                let _ = std::fs::remove_file(p).or_else(|_| std::fs::remove_dir(p));
            }
        }
        std::process::exit(2);
    }));
}
