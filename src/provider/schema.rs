//! The provider block's schema and the cross-attribute checks of ValidateProviderConfig.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::duration::{READ_LAG, ROLE_SESSION};
use crate::schema::{
    Attribute, Block, DurationBetween, IntBetween, NestedBlock, NumberBetween, OneOf, Schema,
    SizeBetween,
};
use crate::value::{Path, Value};

use super::block_attr;
use super::config::{ProviderConfig, Setting, endpoint_problem, is_region_format};
use super::http::validate_proxy;
use super::tags::tag_map_validator;
use crate::aws::Lane;
use crate::aws::RateLimits;

fn s(name: &str, description: &str) -> Attribute {
    Attribute::string(name).optional().description(description)
}

fn b(name: &str, description: &str) -> Attribute {
    Attribute::bool(name).optional().description(description)
}

fn assume_role_block() -> Block {
    Block::new("A role to assume with the base credentials (STS AssumeRole), as in hashicorp/aws. Several blocks chain: each is assumed with the credentials of the previous one. Credentials are obtained on the first API call, never at configure time.")
        .attribute(s("role_arn", "The ARN of the role to assume."))
        .attribute(s("session_name", "The session name (default `terraform-provider-ivschat-<unix time>`)."))
        .attribute(s("external_id", "The external ID the role's trust policy requires."))
        .attribute(s("duration", "How long the session lasts (default 1 hour; STS accepts 15 minutes to 12 hours, and at most the role's maximum session duration).").validate(DurationBetween(ROLE_SESSION)))
        .attribute(s("policy", "An IAM policy document (JSON) further restricting the session."))
        .attribute(Attribute::string_set("policy_arns").optional().description("ARNs of managed policies further restricting the session."))
        .attribute(Attribute::string_map("tags").optional().description("Session tags."))
        .attribute(Attribute::string_set("transitive_tag_keys").optional().description("Accepted for compatibility with hashicorp/aws; not supported by the AWS SDK for Rust's role provider, so it is ignored with a warning."))
        .attribute(s("source_identity", "Accepted for compatibility with hashicorp/aws; not supported by the AWS SDK for Rust's role provider, so it is ignored with a warning."))
}

fn web_identity_block() -> Block {
    Block::new("Assume a role with a web identity token (STS AssumeRoleWithWebIdentity), as in hashicorp/aws. These credentials replace the base credentials.")
        .attribute(s("role_arn", "The ARN of the role to assume."))
        .attribute(s("session_name", "The session name."))
        .attribute(Attribute::string("web_identity_token").optional().sensitive().description("The OAuth 2.0 / OIDC token, kept in memory (never written to disk). One of this or `web_identity_token_file` is required."))
        .attribute(s("web_identity_token_file", "A file holding the token, re-read on every refresh."))
        .attribute(s("duration", "Accepted for compatibility; the AWS SDK for Rust uses the role's default session length.").validate(DurationBetween(ROLE_SESSION)))
        .attribute(s("policy", "An IAM policy document (JSON) further restricting the session."))
        .attribute(Attribute::string_set("policy_arns").optional().description("ARNs of managed policies further restricting the session."))
}

fn rate_attr(lane: Lane) -> Attribute {
    let (ops, quota) = (lane.operations, lane.quota);
    Attribute::number(lane.name)
        .optional()
        .description(format!(
            "Calls per second to allow for each {ops} operation, per region (default {quota}, the IVS Chat quota, which cannot be raised). Lower it when other clients share the account's quota."
        ))
        .validate(NumberBetween(RateLimits::MIN, RateLimits::MAX))
}

/// `rate_limits`: one attribute per quota lane.
fn rate_limits_block(lanes: &[Lane]) -> Block {
    let block = Block::new(
        "Client-side pacing. The provider spaces its calls per region and operation so that an apply of any size at any parallelism runs at the IVS Chat quotas without being throttled. All processes of one account and region share the quota: lower these when several run at once.",
    );
    lanes
        .iter()
        .fold(block, |block, lane| block.attribute(rate_attr(*lane)))
}

/// The `provider "ivschat"` block, with a `rate_limits` attribute for each of `lanes`.
pub(super) fn provider_schema(lanes: &[Lane]) -> Schema {
    Schema::new("The Amazon IVS Chat provider. Its configuration follows hashicorp/aws: the same argument names, environment variables, shared files and precedence. Configuring makes no network call.")
        .attribute(s("region", "The AWS region, for example `us-east-1`. Defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the profile's `region` in the shared config files. Resources and data sources can override it with their own `region` argument."))
        .attribute(s("sts_region", "The region for STS calls that assume roles (default: the provider's region, else `us-east-1`)."))
        .attribute(s("profile", "The shared config / credentials profile to use (default `AWS_PROFILE`, else `default`). When set, it takes precedence over credentials in environment variables."))
        .attribute(Attribute::string_list("shared_config_files").optional().description("Shared config files to read (default `AWS_CONFIG_FILE`, else `~/.aws/config`)."))
        .attribute(Attribute::string_list("shared_credentials_files").optional().description("Shared credentials files to read (default `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`)."))
        .attribute(s("access_key", "An AWS access key ID. Must be set together with `secret_key`; takes precedence over every other credential source."))
        .attribute(Attribute::string("secret_key").optional().sensitive().description("The AWS secret access key of `access_key`."))
        .attribute(Attribute::string("token").optional().sensitive().description("A session token, for temporary `access_key` / `secret_key` credentials."))
        .attribute(b("use_fips_endpoint", "Use FIPS endpoints (default `AWS_USE_FIPS_ENDPOINT`)."))
        .attribute(b("use_dualstack_endpoint", "Use dual-stack (IPv4 and IPv6) endpoints (default `AWS_USE_DUALSTACK_ENDPOINT`)."))
        .attribute(s("custom_ca_bundle", "A PEM file of certificate authorities to trust instead of the system's (default `AWS_CA_BUNDLE`)."))
        .attribute(s("http_proxy", "The proxy URL for HTTP requests (default `HTTP_PROXY`)."))
        .attribute(s("https_proxy", "The proxy URL for HTTPS requests (default `HTTPS_PROXY`)."))
        .attribute(s("no_proxy", "Hosts that bypass the proxy, comma-separated (default `NO_PROXY`)."))
        .attribute(b("insecure", "Do not verify the server's TLS certificate (for test endpoints with self-signed certificates; default false). The connection stays encrypted but anyone can impersonate the endpoint: prefer `custom_ca_bundle`. With it on, `custom_ca_bundle` and the proxy settings are not used."))
        .attribute(Attribute::number("max_retries").optional().validate(IntBetween(0, 100)).description("How many times a throttled, failed (5xx) or interrupted call is retried, with jittered exponential backoff (default 25, or `AWS_MAX_ATTEMPTS` - 1). A refused connection is retried at most 3 times, so a wrong endpoint shows in seconds. Validation, access, not-found, quota, conflict and TLS certificate errors are never retried. A create whose outcome is unknown (connection lost after sending, 5xx) is looked up by its marker tag (see `create_markers`) before it is retried, so it never makes a second object."))
        .attribute(b("create_markers", "Tag each new room and logging configuration with a temporary marker, `terraform-provider-ivschat:create-token`, removed as soon as the create is confirmed (default true). The marker lets a create whose outcome is unknown (connection lost after sending, 5xx) be found and adopted instead of made twice; it needs `ivschat:TagResource`, `ivschat:UntagResource` and the List permission of the type, and a tag key that tag policies or SCPs restricting `aws:TagKeys` allow. Set false for such least-privilege accounts. What is lost: a create whose outcome is unknown is then not retried (a retry could make a second object); the error says the outcome is unknown and how to find the object, to import or delete it."))
        .attribute(s("max_read_lag", "The longest IVS Chat's reads may lag behind a write, as a Go duration (default `30s`; `0s` to `1h`). Reads wait up to this long for the provider's own last write instead of reporting drift or a deleted object; a create whose answer was lost looks for its marker this long before it creates again (so a lost answer never makes a second object); and a version read within this long of a whole-second `updateTime` is not trusted for listing-answered reads. Lower it only for a backend whose lag is known, such as ivschat-local.").validate(DurationBetween(READ_LAG)))
        .attribute(s("retry_mode", "`adaptive` (default): when IVS Chat throttles a call anyway, every caller of that operation is held back for the backoff. `standard`: each call backs off on its own. Default `AWS_RETRY_MODE`.").validate(OneOf(&["standard", "adaptive"])))
        .attribute(b("skip_credentials_validation", "Accepted for compatibility with hashicorp/aws; has no effect: this provider never validates credentials at configure time."))
        .attribute(b("skip_requesting_account_id", "Accepted for compatibility with hashicorp/aws; has no effect: this provider never looks up the account ID."))
        .attribute(s("skip_metadata_api_check", "Accepted for compatibility with hashicorp/aws; has no effect: the instance metadata service is asked for credentials only when no other source has them."))
        .attribute(b("skip_region_validation", "Accept any region name, not only the `xx-name-N` shape of AWS regions (for emulators with custom region names)."))
        .block(NestedBlock::list_max_one("assume_role", assume_role_block()).max_items(0))
        .block(NestedBlock::list_max_one("assume_role_with_web_identity", web_identity_block()))
        .block(NestedBlock::list_max_one("endpoints", Block::new("Custom endpoints, which win over `AWS_ENDPOINT_URL_IVSCHAT`, `AWS_ENDPOINT_URL` and the shared config (`services` section, then `endpoint_url`), as in hashicorp/aws; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` ignores all but this block.")
            .attribute(s("ivschat", "The IVS Chat endpoint URL, for example `http://127.0.0.1:4566` for the ivschat-local emulator."))
            .attribute(s("sts", "The STS endpoint URL for `assume_role` and `assume_role_with_web_identity`. STS is reached with the same proxy, CA bundle, `insecure` setting and timeouts as IVS Chat."))))
        .block(NestedBlock::list_max_one("default_tags", Block::new("Tags added to every object that takes tags. An object's own `tags` override them key by key; `tags_all` shows the merge.")
            .attribute(Attribute::string_map("tags").optional().validate(SizeBetween(0, 50)).validate(tag_map_validator()).description("The default tags."))))
        .block(NestedBlock::list_max_one("ignore_tags", Block::new("Tags that Terraform neither manages nor reports as drift, on every object.")
            .attribute(Attribute::string_set("keys").optional().description("Tag keys to ignore."))
            .attribute(Attribute::string_set("key_prefixes").optional().description("Tag key prefixes to ignore."))))
        .block(NestedBlock::list_max_one("rate_limits", rate_limits_block(lanes)))
}

/// Rules across attributes, with diagnostics at the attribute at fault.
pub(super) fn validate(config: &Value, lanes: &[Lane], diags: &mut Diagnostics) {
    let cfg = ProviderConfig::from_value(config);
    let skip_region = config
        .attr("skip_region_validation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let (Setting::Set(r), false) = (&cfg.sts_region, skip_region)
        && !r.is_empty()
        && !is_region_format(r)
    {
        diags.push(
            Diagnostic::error(
                "Invalid AWS Region",
                format!("sts_region {r:?} is not an AWS region name such as \"us-east-1\"."),
            )
            .at(Path::attr("sts_region")),
        );
    }
    if let (Setting::Set(r), false) = (&cfg.region, skip_region)
        && !is_region_format(r)
    {
        diags.push(
            Diagnostic::error(
                "Invalid AWS Region",
                format!("region {r:?} is not an AWS region name such as \"us-east-1\". Set skip_region_validation = true to use another name (for an emulator)."),
            )
            .at(Path::attr("region")),
        );
    }
    match (&cfg.access_key, &cfg.secret_key) {
        (Setting::Set(_), Setting::Unset) => diags.push(
            Diagnostic::error(
                "Missing Secret Key",
                "access_key is set without secret_key: set both, or neither.",
            )
            .at(Path::attr("secret_key")),
        ),
        (Setting::Unset, Setting::Set(_)) => diags.push(
            Diagnostic::error(
                "Missing Access Key",
                "secret_key is set without access_key: set both, or neither.",
            )
            .at(Path::attr("access_key")),
        ),
        _ => {}
    }
    if cfg.token.is_set() && !cfg.access_key.is_set() && !cfg.access_key.is_unknown() {
        diags.push(
            Diagnostic::error(
                "Session Token Without Keys",
                "token is set without access_key and secret_key; it is only used with them.",
            )
            .at(Path::attr("token")),
        );
    }
    if cfg.profile.is_set() && cfg.access_key.is_set() && cfg.secret_key.is_set() {
        diags.push(
            Diagnostic::warning(
                "Profile Ignored For Credentials",
                "Both profile and access_key/secret_key are set: the static keys are used, and the profile only for other settings (region, endpoints).",
            )
            .at(Path::attr("profile")),
        );
    }
    for (attr, setting) in [
        ("ivschat", &cfg.endpoint_ivschat),
        ("sts", &cfg.endpoint_sts),
    ] {
        if let Setting::Set(url) = setting {
            if url.is_empty() {
                continue;
            }
            if let Some(why) = endpoint_problem(url) {
                diags.push(
                    Diagnostic::error(
                        "Invalid Endpoint URL",
                        format!("endpoints.{attr} {url:?} is not usable: {why}."),
                    )
                    .at(block_attr("endpoints", attr)),
                );
            }
        }
    }
    for (name, setting) in [
        ("http_proxy", &cfg.http_proxy),
        ("https_proxy", &cfg.https_proxy),
    ] {
        if let Setting::Set(url) = setting
            && !url.is_empty()
            && let Some(d) = validate_proxy(name, url)
        {
            diags.push(d);
        }
    }
    if cfg.insecure.as_option() == Some(&true) {
        diags.push(
            Diagnostic::warning(
                "TLS Verification Disabled",
                "insecure = true: server certificates are not verified, so anyone on the network path can impersonate the IVS Chat endpoint. Use custom_ca_bundle to trust a private CA instead. custom_ca_bundle and the proxy settings are not used while insecure is on.",
            )
            .at(Path::attr("insecure")),
        );
    }
    for (i, role) in cfg.assume_role.iter().enumerate() {
        let at = |a: &str| Path::attr("assume_role").join_index(i).join_attr(a);
        // duration is checked at the attribute (DurationBetween).
        if let Setting::Set(arn) = &role.role_arn
            && !arn.is_empty()
            && !arn.starts_with("arn:")
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Attribute Value",
                    format!("role_arn {arn:?} is not an ARN."),
                )
                .at(at("role_arn")),
            );
        }
        for (name, set) in [
            ("transitive_tag_keys", role.transitive_tag_keys.is_set()),
            ("source_identity", role.source_identity.is_set()),
        ] {
            if set {
                diags.push(
                    Diagnostic::warning("Argument Ignored", format!("{name} is not supported by the AWS SDK for Rust's role provider and is ignored."))
                        .at(at(name)),
                );
            }
        }
    }
    if let Some(w) = &cfg.assume_role_with_web_identity {
        let at = |a: &str| block_attr("assume_role_with_web_identity", a);
        if w.role_arn.as_option().is_none_or(String::is_empty) && !w.role_arn.is_unknown() {
            diags.push(
                Diagnostic::error(
                    "Missing Role ARN",
                    "assume_role_with_web_identity needs role_arn.",
                )
                .at(at("role_arn")),
            );
        }
        let token = w.web_identity_token.is_set() || w.web_identity_token.is_unknown();
        let file = w.web_identity_token_file.is_set() || w.web_identity_token_file.is_unknown();
        if !token && !file {
            diags.push(
                Diagnostic::error(
                    "Missing Web Identity Token",
                    "assume_role_with_web_identity needs web_identity_token or web_identity_token_file.",
                )
                .at(Path::attr("assume_role_with_web_identity").join_index(0)),
            );
        }
    }
    for (name, setting, quota) in lanes
        .iter()
        .map(|lane| (lane.name, cfg.rate_limits.get(*lane), lane.quota))
    {
        // The range is checked at the attribute (NumberBetween).
        if let Setting::Set(v) = setting
            && v.is_finite()
            && *v > quota
            && *v <= RateLimits::MAX
        {
            diags.push(
                Diagnostic::warning(
                    "Rate Above The IVS Chat Quota",
                    format!("rate_limits.{name} = {v} is above the IVS Chat quota of {quota} calls per second, which cannot be raised: expect throttling and retries."),
                )
                .at(block_attr("rate_limits", name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_has_a_description() {
        fn check(block: &Block, path: &str) {
            for a in &block.attributes {
                assert!(
                    !a.description.is_empty(),
                    "{path}{} has no description",
                    a.name
                );
            }
            for nb in &block.blocks {
                assert!(
                    !nb.block.description.is_empty(),
                    "block {path}{} has no description",
                    nb.name
                );
                check(&nb.block, &format!("{path}{}.", nb.name));
            }
        }
        check(&provider_schema(&crate::registration::lanes()).block, "");
    }
}
