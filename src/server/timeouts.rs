//! Operation time limits from a `timeouts { create = "10m" }` block, in Go duration syntax as
//! Terraform users write it.

use std::time::Duration;

use crate::value::Value;
use crate::value::duration::{ANY_GO_DURATION, parse_go_duration};

/// The limit for `operation` set in the object's `timeouts`, if any.
pub fn configured(object: &Value, operation: &str) -> Option<Duration> {
    let timeouts = object.attr("timeouts")?;
    let timeouts = match timeouts {
        Value::List(items) => items.first()?,
        other => other,
    };
    parse_duration(timeouts.attr(operation)?.as_str()?)
}

/// Parses `1h30m`, `45s`, `2m0.5s`, `500ms`; `None` when malformed.
pub fn parse_duration(text: &str) -> Option<Duration> {
    parse_go_duration(text, ANY_GO_DURATION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("ten minutes"), None);
        assert_eq!(parse_duration("5x"), None);
    }
}
