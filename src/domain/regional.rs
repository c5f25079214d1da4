//! "The region of this ARN": an IVS Chat object can only be reached in the region its ARN
//! names.

use crate::diagnostics::Diagnostic;

use super::arn::Arn;

/// The region to reach `arn` in. `region` is the type's own `region` argument, if set: one
/// other than the ARN's is refused with `mismatch(region)`. The caller gets its client for
/// the answer (`ctx.client(Some(region))`).
pub fn region_for_arn<'a>(
    arn: &'a Arn,
    region: Option<&str>,
    mismatch: impl FnOnce(&str) -> Diagnostic,
) -> Result<&'a str, Diagnostic> {
    if let Some(region) = region.filter(|r| *r != arn.region) {
        return Err(mismatch(region));
    }
    Ok(&arn.region)
}
