//! One paginator for every List call: follows `nextToken` to the last page, and stops with an
//! error when the service hands back a token it already gave (the listing would never end).

use std::collections::HashSet;
use std::future::Future;

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};

use super::{ApiError, ErrorKind, IvsChat, Operation};

/// Largest page ListRooms and ListLoggingConfigurations return: fewest calls, fastest listing.
pub const PAGE_SIZE: i32 = 50;

/// The AWS-style code of the error a repeated `nextToken` gives.
pub const REPEATED_NEXT_TOKEN: &str = "RepeatedNextToken";

/// One page of a List call; the type that owns a List operation implements it for its output.
pub trait Page {
    /// The token of the next page; `None` (or empty) on the last page.
    fn next_token(&self) -> Option<&str>;
}

impl IvsChat {
    /// Every page of the List operation `op`, in order: `fetch(sdk, token)` makes one request
    /// for the page at `token` (`None` for the first), each paced and retried as [`IvsChat::call`].
    pub async fn all_pages<P, E, F, Fut>(&self, op: Operation, fetch: F) -> Result<Vec<P>, ApiError>
    where
        P: Page,
        F: Fn(aws_sdk_ivschat::Client, Option<String>) -> Fut,
        Fut: Future<Output = Result<P, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut pages = Vec::new();
        let mut seen = HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.call(op, |c| fetch(c, token.clone())).await?;
            let next = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            pages.push(page);
            match next {
                None => return Ok(pages),
                Some(next) if !seen.insert(next.clone()) => {
                    let mut err = ApiError::new(
                        op,
                        ErrorKind::Other,
                        format!(
                            "{op} in {} returned the same nextToken twice, so the listing would \
                             never end. Try again; if it persists, report it to AWS.",
                            self.region()
                        ),
                    );
                    err.code = Some(REPEATED_NEXT_TOKEN.to_owned());
                    return Err(err);
                }
                Some(next) => token = Some(next),
            }
        }
    }
}
