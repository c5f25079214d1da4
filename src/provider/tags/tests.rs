use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::diagnostics::Diagnostics;
use crate::provider::config::{IgnoreTags, Setting};
use crate::value::Path;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn hmap(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn vmap(pairs: &[(&str, Value)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn data(defaults: Value, ignore: IgnoreTags) -> ProviderData {
    ProviderData::for_tests(Setting::Set("us-east-1".into())).with_tags(defaults, ignore)
}

fn object(tags: Value, tags_all: Value) -> Value {
    Value::Object(BTreeMap::from([
        ("tags".to_owned(), tags),
        ("tags_all".to_owned(), tags_all),
    ]))
}

fn plan(d: &ProviderData, config_tags: Value, prior: Value) -> Value {
    let config = object(config_tags.clone(), Value::Null);
    let mut planned = object(config_tags, Value::unknown());
    let mut rr = Vec::<Path>::new();
    let mut diags = Diagnostics::new();
    let mut req = PlanRequest {
        provider: Some(d),
        config: &config,
        prior: &prior,
        plan: &mut planned,
        requires_replace: &mut rr,
        diags: &mut diags,
    };
    plan_tags_all(&mut req);
    planned.attr("tags_all").unwrap().clone()
}

#[test]
fn tags_all_is_defaults_under_resource_tags() {
    let d = data(
        vmap(&[("env", "prod".into()), ("team", "a".into())]),
        IgnoreTags::default(),
    );
    let all = plan(
        &d,
        vmap(&[("team", "b".into()), ("app", "chat".into())]),
        Value::Null,
    );
    assert_eq!(
        all,
        vmap(&[
            ("app", "chat".into()),
            ("env", "prod".into()),
            ("team", "b".into())
        ])
    );
    // No resource tags: the defaults alone; neither: an empty map (known).
    assert_eq!(
        plan(&d, Value::Null, Value::Null),
        vmap(&[("env", "prod".into()), ("team", "a".into())])
    );
    let none = data(Value::Null, IgnoreTags::default());
    assert_eq!(
        plan(&none, Value::Null, Value::Null),
        Value::Map(BTreeMap::new())
    );
}

#[test]
fn unknown_tags_or_default_values_plan_unknown() {
    let d = data(vmap(&[("env", Value::unknown())]), IgnoreTags::default());
    assert!(plan(&d, vmap(&[("a", "b".into())]), Value::Null).is_unknown());
    let d = data(Value::unknown(), IgnoreTags::default());
    assert!(plan(&d, Value::Null, Value::Null).is_unknown());
    let d = data(Value::Null, IgnoreTags::default());
    assert!(plan(&d, vmap(&[("a", Value::unknown())]), Value::Null).is_unknown());
    assert!(plan(&d, Value::unknown(), Value::Null).is_unknown());
}

#[test]
fn ignored_keys_never_reach_tags_all_or_aws() {
    let ignore = IgnoreTags {
        keys: BTreeSet::from(["owner".to_owned()]),
        key_prefixes: vec!["sys:".into()],
    };
    let d = data(vmap(&[("owner", "x".into())]), ignore);
    let all = plan(
        &d,
        vmap(&[("sys:a", "1".into()), ("app", "chat".into())]),
        Value::Null,
    );
    assert_eq!(all, vmap(&[("app", "chat".into())]));
    let sent = tags_to_send(&d, &map(&[("owner", "x"), ("app", "chat"), ("sys:b", "2")]));
    assert_eq!(sent, hmap(&[("app", "chat")]));
}

#[test]
fn read_back_gives_no_perpetual_diff() {
    // Config: tags = {app = chat, env = prod}, where env equals a default tag.
    let d = data(
        vmap(&[("env", "prod".into()), ("team", "a".into())]),
        IgnoreTags::default(),
    );
    let configured = map(&[("app", "chat"), ("env", "prod")]);
    let planned_all = plan(
        &d,
        vmap(&[("app", "chat".into()), ("env", "prod".into())]),
        Value::Null,
    );
    // AWS returns everything sent, plus the create marker and an ignored... none here.
    let mut api = hmap(&[("app", "chat"), ("env", "prod"), ("team", "a")]);
    api.insert(crate::aws::MARKER_TAG_KEY.to_owned(), "token".into());
    let (tags, all) = tags_from_api(&d, &api, Some(&configured));
    // tags equals the configuration exactly (env kept although equal to the default)...
    assert_eq!(tags.as_ref(), Some(&configured));
    // ...and tags_all equals the plan, without the marker.
    let all_value = Value::Map(
        all.iter()
            .map(|(k, v)| (k.clone(), Value::string(v)))
            .collect(),
    );
    assert!(
        all_value.semantically_equal(&planned_all),
        "{all_value:?} vs {planned_all:?}"
    );
    // The next plan keeps the prior tags_all.
    let prior = object(
        vmap(&[("app", "chat".into()), ("env", "prod".into())]),
        all_value.clone(),
    );
    let replanned = plan(
        &d,
        vmap(&[("app", "chat".into()), ("env", "prod".into())]),
        prior,
    );
    assert_eq!(replanned, all_value);
}

#[test]
fn tags_equal_to_the_defaults_alone() {
    let d = data(vmap(&[("env", "prod".into())]), IgnoreTags::default());
    // tags = { env = "prod" }, exactly the default tags.
    let configured = map(&[("env", "prod")]);
    let (tags, all) = tags_from_api(&d, &hmap(&[("env", "prod")]), Some(&configured));
    assert_eq!(tags, Some(configured));
    assert_eq!(all, map(&[("env", "prod")]));
    // No tags configured: default tags do not show up in tags (null, not {}).
    let (tags, _) = tags_from_api(&d, &hmap(&[("env", "prod")]), None);
    assert_eq!(tags, None);
    // tags = {} configured: stays {}.
    let empty = BTreeMap::new();
    let (tags, _) = tags_from_api(&d, &hmap(&[("env", "prod")]), Some(&empty));
    assert_eq!(tags, Some(BTreeMap::new()));
}

#[test]
fn drift_shows_in_tags() {
    let d = data(vmap(&[("env", "prod".into())]), IgnoreTags::default());
    // Someone added a tag and changed the default tag's value outside Terraform.
    let (tags, all) = tags_from_api(&d, &hmap(&[("env", "dev"), ("extra", "1")]), None);
    assert_eq!(tags, Some(map(&[("env", "dev"), ("extra", "1")])));
    assert_eq!(all, map(&[("env", "dev"), ("extra", "1")]));
    // Ignored keys added outside Terraform are not drift.
    let ignore = IgnoreTags {
        keys: BTreeSet::from(["owner".to_owned()]),
        key_prefixes: vec![],
    };
    let d = data(Value::Null, ignore);
    let (tags, all) = tags_from_api(&d, &hmap(&[("owner", "me")]), None);
    assert_eq!(tags, None);
    assert!(all.is_empty());
}

#[test]
fn the_marker_leaves_when_tags_reach_the_limit() {
    let old = hmap(&[("a", "1"), ("b", "2")]);
    let new = hmap(&[("a", "1")]);
    assert_eq!(keys_to_remove(&old, &new, true), vec!["b".to_owned()]);
    let full: HashMap<String, String> = (0..50).map(|i| (format!("k{i}"), String::new())).collect();
    assert!(keys_to_remove(&old, &full, true).contains(&crate::aws::MARKER_TAG_KEY.to_owned()));
    assert!(!keys_to_remove(&old, &full, false).contains(&crate::aws::MARKER_TAG_KEY.to_owned()));
}

#[test]
fn tag_attributes_validate_keys_and_values() {
    let [tags, all] = tag_attributes();
    assert_eq!(tags.name, "tags");
    assert_eq!(all.name, "tags_all");
    assert!(all.mode == crate::schema::Mode::Computed);
    let check = |v: Value| {
        let mut diags = Diagnostics::new();
        for val in &tags.validators {
            val.validate(&v, &Path::attr("tags"), &mut diags);
        }
        diags.has_errors()
    };
    assert!(!check(vmap(&[
        ("env", "prod".into()),
        ("empty", "".into())
    ])));
    assert!(check(vmap(&[("aws:x", "1".into())])));
    assert!(check(vmap(&[("", "1".into())])));
    assert!(check(vmap(&[("k", "v".repeat(257).into())])));
    assert!(check(vmap(&[(&"k".repeat(129), "v".into())])));
    assert!(check(vmap(&[(crate::aws::MARKER_TAG_KEY, "v".into())])));
    let many = Value::Map(
        (0..51)
            .map(|i| (format!("k{i}"), Value::string("v")))
            .collect(),
    );
    assert!(check(many));
}
