//! `tags` and `tags_all`, as hashicorp/aws does them: `tags` is what the configuration says,
//! `tags_all` is what the object carries (provider `default_tags` merged under `tags`), with
//! `ignore_tags` keys and this provider's create marker hidden from both.
//!
//! Resource code:
//! - schema: `.attribute(a).attribute(b)` for `let [a, b] = tag_attributes();`
//! - `modify_plan`: [`plan_tags_all`];
//! - create / update: send [`tags_to_send`] of the planned `tags_all`;
//! - read: store [`tags_from_api`] of the tags AWS returns.

use std::collections::{BTreeMap, HashMap};

use crate::schema::{Attribute, SizeBetween, custom};
use crate::server::PlanRequest;
use crate::value::Value;

use super::ProviderData;
use crate::aws::{MARKER_TAG_KEY, MAX_TAGS};

pub const TAGS: &str = "tags";
pub const TAGS_ALL: &str = "tags_all";

fn check_tags(v: &Value) -> Result<(), String> {
    let Some(entries) = v.entries() else {
        return Ok(());
    };
    for (k, val) in entries {
        let len = k.chars().count();
        if !(1..=128).contains(&len) {
            return Err(format!("key {k:?} of {len} characters"));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!(
                "key {k:?}, which uses the reserved prefix \"aws:\""
            ));
        }
        if k == MARKER_TAG_KEY {
            return Err(format!("key {k:?}, which this provider reserves"));
        }
        if let Value::String(s) = val {
            let n = s.chars().count();
            if n > 256 {
                return Err(format!("a value of {n} characters for key {k:?}"));
            }
        }
    }
    Ok(())
}

/// A validator for tag maps (also used for `default_tags`).
pub(crate) fn tag_map_validator() -> impl crate::schema::Validator {
    custom(
        "have keys of 1 to 128 characters not starting with \"aws:\" and values of at most 256 characters",
        check_tags,
    )
}

/// `tags` (optional map, at most 50, keys 1..128 not starting with `aws:`, values ≤ 256) and
/// `tags_all` (computed).
pub fn tag_attributes() -> [Attribute; 2] {
    [
        // Omittable: left out of generated configuration when the object has no tags.
        Attribute::string_map(TAGS)
            .optional_omittable()
            .description(
                "Tags to assign to the object: at most 50, keys of 1 to 128 characters not starting with `aws:`, \
                 values of at most 256 characters. Tags with the same key as a provider `default_tags` tag \
                 override it.",
            )
            .validate(SizeBetween(0, MAX_TAGS))
            .validate(tag_map_validator()),
        Attribute::string_map(TAGS_ALL).computed().description(
            "All tags of the object, including those inherited from the provider's `default_tags`, except \
             keys the provider's `ignore_tags` ignores.",
        ),
    ]
}

/// The merge of `default_tags` (provider) and `tags` (resource), as a value: unknown when
/// either is unknown (or holds an unknown value), else a map (possibly empty), with ignored
/// keys left out.
fn merged_value(defaults: &Value, tags: &Value, data: Option<&ProviderData>) -> Value {
    let mut out = BTreeMap::new();
    for source in [defaults, tags] {
        match source {
            Value::Null => {}
            Value::Map(m) | Value::Object(m) => {
                for (k, v) in m {
                    match v {
                        Value::Unknown(_) => return Value::unknown(),
                        Value::Null => {}
                        v => {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            _ => return Value::unknown(),
        }
    }
    if let Some(d) = data {
        out.retain(|k, _| !d.ignore_tags().ignores(k));
    }
    Value::Map(out)
}

/// Plan hook: `tags_all` = `default_tags` ∪ `tags` (resource tags win), known when both are;
/// the prior value is kept when nothing changed, so there is never a perpetual diff.
pub fn plan_tags_all(req: &mut PlanRequest<'_, ProviderData>) {
    if req.plan.is_null() {
        return;
    }
    let tags = req.plan.attr(TAGS).cloned().unwrap_or(Value::Null);
    let defaults = req
        .provider
        .map_or(Value::Null, |d| d.default_tags_value().clone());
    let merged = merged_value(&defaults, &tags, req.provider);
    let prior = req.prior.attr(TAGS_ALL).cloned().unwrap_or(Value::Null);
    let planned = if !prior.is_null() && merged.semantically_equal(&prior) {
        prior
    } else {
        merged
    };
    if let Some(slot) = req.plan.attr_mut(TAGS_ALL) {
        *slot = planned;
    }
}

/// Whether the tag `key` is shown in `tags` and `tags_all` (and sent to AWS): not the create
/// marker, not a key the provider's `ignore_tags` names.
pub fn is_visible(data: &ProviderData, key: &str) -> bool {
    key != MARKER_TAG_KEY && !data.ignore_tags().ignores(key)
}

/// The tags of `tags` that [`is_visible`].
pub fn visible_tags<'a>(
    data: &ProviderData,
    tags: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> BTreeMap<String, String> {
    tags.into_iter()
        .filter(|(k, _)| is_visible(data, k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Whether `tags` (as the API returned them) carries every one of `wanted`, with the same value.
/// Checked before `ignore_tags` applies: a filter names its keys on purpose.
pub fn has_all_tags(
    tags: Option<&HashMap<String, String>>,
    wanted: &BTreeMap<String, String>,
) -> bool {
    wanted
        .iter()
        .all(|(k, v)| tags.and_then(|t| t.get(k)) == Some(v))
}

/// The (`tags`, `tags_all`) to store after reading `api_tags` from AWS, given the `tags` the
/// configuration (on create/update) or the prior state (on refresh) had.
///
/// `tags_all` is every tag but ignored keys and the create marker. `tags` is `tags_all` minus
/// the default tags (same key and value), except keys `configured` names, which stay even when
/// equal to a default. `tags` is null when the configuration had none and nothing is left.
pub fn tags_from_api(
    data: &ProviderData,
    api_tags: &HashMap<String, String>,
    configured: Option<&BTreeMap<String, String>>,
) -> (Option<BTreeMap<String, String>>, BTreeMap<String, String>) {
    let all = visible_tags(data, api_tags);
    let defaults = data.default_tags();
    let tags: BTreeMap<String, String> = all
        .iter()
        .filter(|(k, v)| {
            configured.is_some_and(|c| c.contains_key(*k))
                || defaults.get(*k).is_none_or(|d| d != *v)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let tags = if tags.is_empty() && configured.is_none() {
        None
    } else {
        Some(tags)
    };
    (tags, all)
}

/// What to send to AWS for a planned `tags_all`: every tag but ignored keys.
pub fn tags_to_send(
    data: &ProviderData,
    tags_all: &BTreeMap<String, String>,
) -> HashMap<String, String> {
    visible_tags(data, tags_all).into_iter().collect()
}

/// Keys to remove with UntagResource when going from `old` to `new` (both as sent, e.g. from
/// [`tags_to_send`]); the create marker is removed too when the new set would otherwise exceed
/// the 50-tag limit together with it.
pub fn keys_to_remove(
    old: &HashMap<String, String>,
    new: &HashMap<String, String>,
    api_has_marker: bool,
) -> Vec<String> {
    let mut keys: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    if api_has_marker && new.len() >= MAX_TAGS {
        keys.push(MARKER_TAG_KEY.to_owned());
    }
    keys.sort();
    keys
}

#[cfg(test)]
mod tests;
