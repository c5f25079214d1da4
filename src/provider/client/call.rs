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
                return Err(err);
            }
        };
        result.map_err(|e| {
            let err = ApiError::from_sdk(op, &e);
            tracing::debug!(operation = op.name(), kind = ?err.kind, code = ?err.code, "IVS Chat call failed: {}", err.message);
            err
        })
    }

    /// One paced, retried API call. `op` names the operation (for pacing class and
    /// diagnostics). Use only for idempotent calls: create calls go through the leak-safe
    /// `create_*` methods.
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
        loop {
            match self.attempt_in(op, &f, in_slot && retry == 0).await {
                Ok(v) => return Ok(v),
                Err(mut err) => match self.next(&err, retry) {
                    Next::GiveUp => {
                        err.attempts = retry + 1;
                        return Err(err);
                    }
                    Next::RetryAfter(delay) => {
                        self.wait(op, delay).await?;
                        retry += 1;
                    }
                },
            }
        }
    }
}
