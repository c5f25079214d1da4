//! The process signals the plugin host reacts to, one neutral shape per platform.
//!
//! - unix: SIGINT is an interrupt, SIGTERM a request to terminate.
//! - Windows: Ctrl-C is an interrupt; Ctrl-Break, closing the console and system shutdown
//!   are requests to terminate (Windows has no SIGTERM; go-plugin's Windows clients kill
//!   the process or call Shutdown).
//!
//! An interrupt reaches the whole process group (or console) when the user presses Ctrl-C,
//! so Terraform, not the provider, decides what stops: the caller ignores it outside debug
//! mode.

use std::io;

/// What arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// SIGINT or Ctrl-C.
    Interrupt,
    /// SIGTERM, Ctrl-Break, console close or system shutdown; names which.
    Terminate(&'static str),
}

#[cfg(unix)]
pub(crate) struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    /// Installs the handlers; must run inside a tokio runtime.
    pub(crate) fn install() -> io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The next signal; `None` once no more can arrive.
    pub(crate) async fn next(&mut self) -> Option<Signal> {
        tokio::select! {
            Some(()) = self.interrupt.recv() => Some(Signal::Interrupt),
            Some(()) = self.terminate.recv() => Some(Signal::Terminate("SIGTERM")),
            else => None,
        }
    }
}

#[cfg(windows)]
pub(crate) struct Signals {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
    ctrl_close: tokio::signal::windows::CtrlClose,
    ctrl_shutdown: tokio::signal::windows::CtrlShutdown,
}

#[cfg(windows)]
impl Signals {
    /// Installs the handlers; must run inside a tokio runtime.
    pub(crate) fn install() -> io::Result<Signals> {
        use tokio::signal::windows;
        Ok(Signals {
            ctrl_c: windows::ctrl_c()?,
            ctrl_break: windows::ctrl_break()?,
            ctrl_close: windows::ctrl_close()?,
            ctrl_shutdown: windows::ctrl_shutdown()?,
        })
    }

    /// The next signal; `None` once no more can arrive.
    pub(crate) async fn next(&mut self) -> Option<Signal> {
        tokio::select! {
            Some(()) = self.ctrl_c.recv() => Some(Signal::Interrupt),
            Some(()) = self.ctrl_break.recv() => Some(Signal::Terminate("Ctrl-Break")),
            Some(()) = self.ctrl_close.recv() => Some(Signal::Terminate("console closed")),
            Some(()) = self.ctrl_shutdown.recv() => Some(Signal::Terminate("system shutdown")),
            else => None,
        }
    }
}

/// Platforms with neither: only Ctrl-C as tokio offers it everywhere.
#[cfg(not(any(unix, windows)))]
pub(crate) struct Signals;

#[cfg(not(any(unix, windows)))]
impl Signals {
    pub(crate) fn install() -> io::Result<Signals> {
        Ok(Signals)
    }

    pub(crate) async fn next(&mut self) -> Option<Signal> {
        tokio::signal::ctrl_c()
            .await
            .ok()
            .map(|()| Signal::Interrupt)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sigterm_arrives_as_terminate() {
        let mut signals = Signals::install().unwrap();
        // The handler is installed: SIGTERM no longer ends this test process.
        let status = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), signals.next())
            .await
            .unwrap();
        assert_eq!(got, Some(Signal::Terminate("SIGTERM")));
    }
}
