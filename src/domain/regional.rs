//! "A client for this ARN's region": an IVS Chat object can only be reached in the region its
//! ARN names.

use crate::aws::IvsChat;
use crate::diagnostics::Diagnostic;
use crate::provider::ProviderData;
use crate::server::Context;

use super::arn::Arn;

/// The client for `arn`'s region, cancelled with the request. `region` is the type's own
/// `region` argument, if set: one other than the ARN's is refused with `mismatch(region)`.
pub fn client_for_arn(
    ctx: &Context<'_, ProviderData>,
    arn: &Arn,
    region: Option<&str>,
    mismatch: impl FnOnce(&str) -> Diagnostic,
) -> Result<IvsChat, Diagnostic> {
    if let Some(region) = region.filter(|r| *r != arn.region) {
        return Err(mismatch(region));
    }
    ctx.client(Some(&arn.region))
}
