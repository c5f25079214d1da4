//! Merging what a resource returned into what was promised. This is how the server makes
//! Terraform's "Provider produced inconsistent result" errors impossible: a value known in the
//! plan (or set in configuration) is returned as is, and the resource only fills in the unknowns.

use std::collections::BTreeMap;

use crate::value::{Path, Value};

/// `promised` with each unknown replaced by the matching part of `actual`.
pub fn fill_unknowns(promised: &Value, actual: &Value) -> Value {
    match (promised, actual) {
        (Value::Unknown(_), a) => a.clone(),
        (Value::Object(p), Value::Object(a)) => Value::Object(merge_entries(p, a)),
        (Value::Map(p), Value::Map(a)) => Value::Map(merge_entries(p, a)),
        (Value::List(p), Value::List(a)) if p.len() == a.len() => {
            Value::List(p.iter().zip(a).map(|(p, a)| fill_unknowns(p, a)).collect())
        }
        (Value::Tuple(p), Value::Tuple(a)) if p.len() == a.len() => {
            Value::Tuple(p.iter().zip(a).map(|(p, a)| fill_unknowns(p, a)).collect())
        }
        (Value::Set(p), Value::Set(a))
            if p.len() == a.len() && p.iter().any(|v| !v.is_wholly_known()) =>
        {
            // Set elements have no identity until known: take the actual set whole.
            Value::Set(a.clone())
        }
        (p, _) => p.clone(),
    }
}

fn merge_entries(
    p: &BTreeMap<String, Value>,
    a: &BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    p.iter()
        .map(|(k, pv)| {
            let merged = match a.get(k) {
                Some(av) => fill_unknowns(pv, av),
                None => pv.clone(),
            };
            (k.clone(), merged)
        })
        .collect()
}

/// A data source result keeps every attribute the configuration set.
pub fn keep_config(config: &Value, actual: &Value) -> Value {
    match (config, actual) {
        (Value::Object(c), Value::Object(a)) => Value::Object(
            a.iter()
                .map(|(k, av)| {
                    let merged = match c.get(k) {
                        Some(cv) if !cv.is_null() && cv.is_known() => keep_config(cv, av),
                        _ => av.clone(),
                    };
                    (k.clone(), merged)
                })
                .collect(),
        ),
        (c, _) if c.is_wholly_known() && !c.is_null() => c.clone(),
        (_, a) => a.clone(),
    }
}

/// Replaces every unknown left in `value` by null and returns where they were.
pub fn null_out_unknowns(value: &mut Value, path: &Path, found: &mut Vec<Path>) {
    match value {
        Value::Unknown(_) => {
            *value = Value::Null;
            found.push(path.clone());
        }
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                null_out_unknowns(v, &path.join_attr(k), found);
            }
        }
        Value::Map(m) => {
            for (k, v) in m.iter_mut() {
                null_out_unknowns(v, &path.join_key(k), found);
            }
        }
        Value::List(items) | Value::Tuple(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                null_out_unknowns(v, &path.join_index(i), found);
            }
        }
        Value::Set(items) => {
            for v in items.iter_mut() {
                null_out_unknowns(v, path, found);
            }
        }
        Value::Dynamic(_, v) => null_out_unknowns(v, path, found),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn known_planned_values_win_and_unknowns_take_the_actual_value() {
        let planned = obj(&[
            ("name", "a".into()),
            ("arn", Value::unknown()),
            ("max", Value::int(500)),
        ]);
        let actual = obj(&[
            ("name", "A".into()),
            ("arn", "arn:x".into()),
            ("max", Value::int(499)),
        ]);
        let merged = fill_unknowns(&planned, &actual);
        assert_eq!(
            merged,
            obj(&[
                ("name", "a".into()),
                ("arn", "arn:x".into()),
                ("max", Value::int(500))
            ])
        );
    }

    #[test]
    fn unknowns_inside_lists_are_filled_elementwise() {
        let planned = obj(&[(
            "h",
            Value::List(vec![obj(&[("uri", "".into()), ("f", Value::unknown())])]),
        )]);
        let actual = obj(&[(
            "h",
            Value::List(vec![obj(&[("uri", "x".into()), ("f", "ALLOW".into())])]),
        )]);
        let merged = fill_unknowns(&planned, &actual);
        assert_eq!(
            merged,
            obj(&[(
                "h",
                Value::List(vec![obj(&[("uri", "".into()), ("f", "ALLOW".into())])])
            )])
        );
    }

    #[test]
    fn leftover_unknowns_are_reported_by_path() {
        let mut v = obj(&[
            ("a", Value::List(vec![Value::unknown()])),
            ("b", Value::int(1)),
        ]);
        let mut found = Vec::new();
        null_out_unknowns(&mut v, &Path::root(), &mut found);
        assert_eq!(found, vec![Path::attr("a").join_index(0)]);
        assert!(v.is_wholly_known());
    }

    #[test]
    fn data_source_results_keep_configured_values() {
        let config = obj(&[("name", "lobby".into()), ("rooms", Value::Null)]);
        let actual = obj(&[("name", "other".into()), ("rooms", Value::List(vec![]))]);
        assert_eq!(
            keep_config(&config, &actual),
            obj(&[("name", "lobby".into()), ("rooms", Value::List(vec![]))])
        );
    }
}
