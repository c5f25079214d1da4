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
pub trait ListPage {
    /// The token of the next page; `None` (or empty) on the last page.
    fn next_token(&self) -> Option<&str>;
}

/// Where a listing stands: the token of its next page and every token handed out so far.
/// [`IvsChat::all_pages`] and the shared listings (see `listing`) follow the same rules
/// through it: an empty token ends the listing, a repeated one ends it with an error.
#[derive(Debug, Default)]
pub(crate) struct Cursor {
    next: Option<String>,
    seen: HashSet<String>,
}

impl Cursor {
    /// The token to request the next page with (`None`: the first page).
    pub(crate) fn token(&self) -> Option<String> {
        self.next.clone()
    }

    /// After a page whose `nextToken` was `next`: `Ok(true)` when another page follows,
    /// `Ok(false)` on the last page, an error ([`REPEATED_NEXT_TOKEN`]) when the service
    /// handed back a token it gave before.
    pub(crate) fn advance(
        &mut self,
        client: &IvsChat,
        op: Operation,
        next: Option<&str>,
    ) -> Result<bool, ApiError> {
        match next.filter(|t| !t.is_empty()) {
            None => {
                self.next = None;
                Ok(false)
            }
            Some(next) if !self.seen.insert(next.to_owned()) => {
                let mut err = ApiError::new(
                    op,
                    ErrorKind::Other,
                    format!(
                        "{op} in {} returned the same nextToken twice, so the listing would \
                         never end. Try again; if it persists, report it to AWS.",
                        client.region()
                    ),
                );
                err.code = Some(REPEATED_NEXT_TOKEN.to_owned());
                Err(err)
            }
            Some(next) => {
                self.next = Some(next.to_owned());
                Ok(true)
            }
        }
    }
}

impl IvsChat {
    /// Every page of the List operation `op`, in order: `fetch(sdk, token)` makes one request
    /// for the page at `token` (`None` for the first), each paced and retried as [`IvsChat::call`].
    pub async fn all_pages<P, E, F, Fut>(&self, op: Operation, fetch: F) -> Result<Vec<P>, ApiError>
    where
        P: ListPage,
        F: Fn(aws_sdk_ivschat::Client, Option<String>) -> Fut,
        Fut: Future<Output = Result<P, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut pages = Vec::new();
        let mut cursor = Cursor::default();
        loop {
            let token = cursor.token();
            let page = self.call(op, |c| fetch(c, token.clone())).await?;
            let more = cursor.advance(self, op, page.next_token())?;
            pages.push(page);
            if !more {
                return Ok(pages);
            }
        }
    }
}
