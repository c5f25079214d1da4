//! One shutdown trigger for the whole process.
//!
//! Fired by `plugin.GRPCController/Shutdown`, SIGTERM, or Ctrl-C in debug
//! mode. Everything that must stop (the accept loop, the gRPC server, the
//! long-lived stdio and broker streams) waits on it.

use std::sync::Arc;

use tokio::sync::watch;

/// Cloneable handle: trigger once, wait anywhere.
#[derive(Clone, Debug)]
pub(crate) struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
}

impl Shutdown {
    pub(crate) fn new() -> Self {
        Self {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Starts shutting down; later calls do nothing more.
    pub(crate) fn trigger(&self, reason: &'static str) {
        let first = !self.tx.send_replace(true);
        if first {
            tracing::debug!(reason, "plugin server shutting down");
        }
    }

    /// Completes once shutdown has been triggered.
    pub(crate) async fn wait(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so the channel cannot close while we
        // wait; an error would only mean "closed", i.e. shut down anyway.
        let _ = rx.wait_for(|down| *down).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_after_trigger() {
        let s = Shutdown::new();
        let waiter = tokio::spawn({
            let s = s.clone();
            async move { s.wait().await }
        });
        s.trigger("test");
        s.trigger("again");
        waiter.await.unwrap();
        // Waiting after the fact returns at once.
        s.wait().await;
    }
}
