//! Operation time limits from a `timeouts { create = "10m" }` block, in Go duration syntax as
//! Terraform users write it.

use std::time::Duration;

use crate::duration::{OPERATION_TIMEOUT, parse_go_duration};
use crate::value::Value;

/// The limit for `operation` set in the object's `timeouts`, if any.
pub fn configured(object: &Value, operation: &str) -> Option<Duration> {
    let timeouts = object.attr("timeouts")?;
    let timeouts = match timeouts {
        Value::List(items) => items.first()?,
        other => other,
    };
    parse_duration(timeouts.attr(operation)?.as_str()?)
}

/// Parses `1h30m`, `45s`, `2m0.5s`, `500ms`; `None` when malformed or outside
/// [`OPERATION_TIMEOUT`] (validation reports those at the attribute).
pub fn parse_duration(text: &str) -> Option<Duration> {
    parse_go_duration(text, OPERATION_TIMEOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        // Below the 1 s floor of OPERATION_TIMEOUT.
        assert_eq!(parse_duration("250ms"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("ten minutes"), None);
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("3000000000000000h"), None);
    }
}
