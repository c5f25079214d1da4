//! The per-resource `region` argument (as in hashicorp/aws v6): one provider serves every
//! region; a resource or data source names its own, else uses the provider's.

use crate::diagnostics::Diagnostic;
use crate::schema::{Attribute, custom};
use crate::server::PlanRequest;
use crate::value::{Path, Value};

use super::ProviderData;
use super::config::{Setting, is_region_format};
use crate::aws::region::{IVSCHAT_REGIONS, serves_ivschat};

pub const REGION: &str = "region";

/// The plan-time warning for a well-formed region where IVS Chat does not exist; `None` when
/// the region has IVS Chat. `origin` names the setting (`region in the provider block`).
pub fn unserved_region_warning(region: &str, origin: &str) -> Option<Diagnostic> {
    if serves_ivschat(region) || !is_region_format(region) {
        return None;
    }
    Some(Diagnostic::warning(
        "IVS Chat Not Available In This Region",
        format!(
            "IVS Chat does not exist in region {region:?} ({origin}), so calls to its default endpoint \
             https://ivschat.{region}.amazonaws.com will fail. IVS Chat runs in {}. Use one of them, or \
             ignore this warning if endpoints.ivschat points at another server (such as ivschat-local).",
            IVSCHAT_REGIONS.join(", ")
        ),
    ))
}

/// `region`: optional and computed; a change replaces the object (done by [`plan_region`],
/// which every resource's `modify_plan` must call).
pub fn region_attribute() -> Attribute {
    Attribute::string(REGION)
        .optional_computed()
        .description(
            "The AWS region this object lives in, for example `us-east-1`. Defaults to the provider's \
             region (`region` in the provider block, else `AWS_REGION`, `AWS_DEFAULT_REGION` or the \
             profile's region). Changing it forces a new object to be created in the new region.",
        )
        .validate(custom("be an AWS region name such as us-east-1", |v| match v.as_str() {
            Some(r) if is_region_format(r) => Ok(()),
            Some(r) => Err(format!("{r:?}")),
            None => Ok(()),
        }))
}

/// For generated configuration: `region` as a person would write it, left out (`None`) when it
/// is the provider's own region, which a null `region` plans anyway ([`plan_region`]). Kept
/// when the provider is not configured or its region is not known.
pub fn implicit_region_left_out(
    provider: Option<&ProviderData>,
    region: Option<String>,
) -> Option<String> {
    match provider.map(ProviderData::region_setting) {
        Some(Setting::Set(r)) if region.as_deref() == Some(r.as_str()) => None,
        _ => region,
    }
}

/// Plan hook: a null `region` in configuration plans the provider's region (known at plan time
/// when the provider's is; unknown when the provider's region is not known yet). Flags
/// replacement when the planned region differs from the prior state's.
pub fn plan_region(req: &mut PlanRequest<'_, ProviderData>) {
    if req.plan.is_null() {
        return;
    }
    let configured = req.config.attr(REGION).cloned().unwrap_or(Value::Null);
    let planned = if configured.is_null() {
        match req.provider.map(ProviderData::region_setting) {
            Some(Setting::Set(r)) => Value::string(r),
            Some(Setting::Unknown) => Value::unknown(),
            Some(Setting::Unset) => {
                req.diags.push(
                    Diagnostic::error(
                        "Missing AWS Region",
                        "This object has no region: set `region` on it, or in the provider block, or set the \
                         AWS_REGION environment variable, or a region in the shared config profile.",
                    )
                    .at(Path::attr(REGION)),
                );
                Value::unknown()
            }
            // The provider is not configured yet (validation-time planning): leave it unknown.
            None => Value::unknown(),
        }
    } else {
        // A region of the resource's own where IVS Chat does not exist: warn now rather than
        // fail at apply (unless an endpoint override serves it, such as ivschat-local).
        if let (Some(r), Some(data)) = (configured.as_str(), req.provider)
            && data.endpoint().is_none()
            && let Some(w) = unserved_region_warning(r, "the region argument of this resource")
        {
            req.diags.push(w.at(Path::attr(REGION)));
        }
        configured
    };
    if let Some(slot) = req.plan.attr_mut(REGION) {
        *slot = planned.clone();
    }
    let path = Path::attr(REGION);
    req.requires_replace.retain(|p| p != &path);
    let prior = req.prior.attr(REGION).cloned().unwrap_or(Value::Null);
    if !req.prior.is_null() && !prior.is_null() && !planned.semantically_equal(&prior) {
        req.requires_replace.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::provider::ProviderData;
    use crate::value::Value;
    use std::collections::BTreeMap;

    fn object(region: Value) -> Value {
        Value::Object(BTreeMap::from([
            ("region".to_owned(), region),
            ("name".to_owned(), Value::string("x")),
        ]))
    }

    fn run(
        provider: Option<&ProviderData>,
        config: Value,
        prior: Value,
        plan: Value,
    ) -> (Value, Vec<Path>, Diagnostics) {
        let mut plan = plan;
        let mut rr = vec![Path::attr("region")];
        let mut diags = Diagnostics::new();
        let mut req = PlanRequest {
            provider,
            config: &config,
            prior: &prior,
            plan: &mut plan,
            requires_replace: &mut rr,
            diags: &mut diags,
        };
        plan_region(&mut req);
        (plan, rr, diags)
    }

    #[test]
    fn null_region_plans_the_provider_region_without_replacement() {
        let data = ProviderData::for_tests(Setting::Set("eu-west-1".into()));
        let (plan, rr, diags) = run(
            Some(&data),
            object(Value::Null),
            object(Value::string("eu-west-1")),
            object(Value::unknown()),
        );
        assert_eq!(plan.attr("region"), Some(&Value::string("eu-west-1")));
        assert!(rr.is_empty(), "{rr:?}");
        assert!(diags.is_empty());
    }

    #[test]
    fn a_new_provider_region_replaces() {
        let data = ProviderData::for_tests(Setting::Set("eu-west-1".into()));
        let (plan, rr, _) = run(
            Some(&data),
            object(Value::Null),
            object(Value::string("us-east-1")),
            object(Value::unknown()),
        );
        assert_eq!(plan.attr("region"), Some(&Value::string("eu-west-1")));
        assert_eq!(rr, vec![Path::attr("region")]);
    }

    #[test]
    fn unknown_provider_region_plans_unknown() {
        let data = ProviderData::for_tests(Setting::Unknown);
        let (plan, _, diags) = run(
            Some(&data),
            object(Value::Null),
            Value::Null,
            object(Value::unknown()),
        );
        assert!(plan.attr("region").unwrap().is_unknown());
        assert!(diags.is_empty());
    }

    #[test]
    fn configured_region_wins_and_missing_region_is_an_error_at_the_attribute() {
        let data = ProviderData::for_tests(Setting::Set("eu-west-1".into()));
        let (plan, _, _) = run(
            Some(&data),
            object(Value::string("us-west-2")),
            Value::Null,
            object(Value::string("us-west-2")),
        );
        assert_eq!(plan.attr("region"), Some(&Value::string("us-west-2")));
        let none = ProviderData::for_tests(Setting::Unset);
        let (_, _, diags) = run(
            Some(&none),
            object(Value::Null),
            Value::Null,
            object(Value::unknown()),
        );
        assert!(diags.has_errors());
        assert_eq!(
            diags.iter().next().unwrap().path,
            Some(Path::attr("region"))
        );
    }

    #[test]
    fn a_region_without_ivs_chat_is_a_warning_at_region_naming_the_regions_with_it() {
        let data = ProviderData::for_tests(Setting::Set("eu-west-1".into()));
        let (_, _, diags) = run(
            Some(&data),
            object(Value::string("af-south-1")),
            Value::Null,
            object(Value::string("af-south-1")),
        );
        assert!(!diags.has_errors());
        let w = diags.iter().next().expect("a warning");
        assert_eq!(w.path, Some(Path::attr("region")));
        assert!(
            w.detail.contains("us-west-2") && w.detail.contains("af-south-1"),
            "{}",
            w.detail
        );
        let (_, _, diags) = run(
            Some(&data),
            object(Value::string("ap-south-1")),
            Value::Null,
            object(Value::string("ap-south-1")),
        );
        assert!(diags.is_empty());
    }
}
