//! One paced, retried call.

use std::future::Future;

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};

use super::retry::Next;
use super::{ApiError, IvsChat, Operation};

impl IvsChat {
    /// One attempt: wait for the pacing slot, then call.
    pub(super) async fn attempt<T, E, F, Fut>(&self, op: Operation, f: &F) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.attempt_in(op, f, false).await
    }

    /// One attempt; `in_slot`: the caller already holds a pacing slot starting now.
    async fn attempt_in<T, E, F, Fut>(
        &self,
        op: Operation,
        f: &F,
        in_slot: bool,
    ) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.attempt_classified_in(
            op,
            |c| {
                let sent = f(c);
                async move { sent.await.map_err(|e| ApiError::from_sdk(op, &e)) }
            },
            in_slot,
        )
        .await
    }

    /// One attempt of a call whose errors are already classified.
    pub(super) async fn attempt_classified<T, F, Fut>(
        &self,
        op: Operation,
        f: F,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        self.attempt_classified_in(op, f, false).await
    }

    /// [`IvsChat::attempt_classified`]; `in_slot`: the caller already holds a pacing slot.
    async fn attempt_classified_in<T, F, Fut>(
        &self,
        op: Operation,
        f: F,
        in_slot: bool,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        self.check(op)?;
        if !in_slot {
            let slot = self.inner.pacer.reserve(&self.inner.region, op);
            self.sleep_until(op, slot).await?;
        }
        // A create in flight is not abandoned on StopProvider: its answer says what exists.
        // At the deadline it is (the error says the object may exist, see `create`).
        let watch_cancel = !op.is_create();
        let result = tokio::select! {
            r = f(self.inner.sdk.clone()) => r,
            why = self.interruption(watch_cancel) => {
                let mut err = self.interrupted(op, &why);
                // The request was sent: it may have been carried out.
                err.ambiguous = true;
                err.reach = Some(self.inner.reach.clone());
                return Err(err);
            }
        };
        result.map_err(|mut err| {
            err.reach = Some(self.inner.reach.clone());
            tracing::debug!(operation = op.name(), kind = ?err.kind, code = ?err.code, "IVS Chat call failed: {}", err.message);
            err
        })
    }

    /// One paced, retried API call. `op` names the operation (for pacing class and
    /// diagnostics). Use only for idempotent calls: creates go through
    /// [`IvsChat::create_leak_safe`].
    pub async fn call<T, E, F, Fut>(&self, op: Operation, f: F) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.call_in(op, f, false).await
    }

    /// [`IvsChat::call`]; `in_slot`: the first attempt uses a pacing slot the caller took
    /// (`Pacer::try_reserve_now`), retries queue as usual.
    pub(super) async fn call_in<T, E, F, Fut>(
        &self,
        op: Operation,
        f: F,
        in_slot: bool,
    ) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut retry = 0;
        // Whether any attempt may have been carried out: the last one can fail plainly
        // (throttled) after an earlier one lost its answer.
        let mut ambiguous = false;
        loop {
            match self.attempt_in(op, &f, in_slot && retry == 0).await {
                Ok(v) => return Ok(v),
                Err(mut err) => match self.next(&err, retry) {
                    Next::GiveUp => {
                        err.attempts = retry + 1;
                        err.ambiguous |= ambiguous;
                        return Err(err);
                    }
                    Next::RetryAfter(delay) => {
                        ambiguous |= err.ambiguous;
                        if let Err(mut stopped) = self.wait(op, delay).await {
                            stopped.ambiguous |= ambiguous;
                            return Err(stopped);
                        }
                        retry += 1;
                    }
                },
            }
        }
    }

    /// One paced call of an operation that must happen at most once (SendEvent,
    /// DeleteMessage, DisconnectUser): retried only when the request surely was not carried
    /// out (throttled, connection refused); after a failure that leaves the outcome open
    /// (connection lost after sending, timeout, 5xx) it is not sent again, and the error says
    /// the outcome is unknown.
    pub async fn call_at_most_once<T, E, F, Fut>(&self, op: Operation, f: F) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut retry = 0;
        loop {
            let mut err = match self.attempt(op, &f).await {
                Ok(v) => return Ok(v),
                Err(err) => err,
            };
            err.attempts = retry + 1;
            if err.ambiguous {
                err.message = format!(
                    "{}. The outcome is unknown: IVS Chat may have carried out the {} request. It was not \
                     retried, since a second {} could repeat it",
                    err.message,
                    op.name(),
                    op.name()
                );
                return Err(err);
            }
            match self.next(&err, retry) {
                Next::GiveUp => return Err(err),
                Next::RetryAfter(delay) => {
                    self.wait(op, delay).await?;
                    retry += 1;
                }
            }
        }
    }
}
