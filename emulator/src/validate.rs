//! Input constraints of the ivschat 2020-07-14 model, carried in code.
//!
//! Patterns are matched against the whole value (anchored). The model's
//! `ResourceArn` pattern has `[a-z-]` for the resource type, which read anchored
//! would refuse every real ARN; it is read as `[a-z-]+`.

use crate::error::{ApiError, FieldError, ValidationReason};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

macro_rules! re {
    ($name:ident, $pat:expr) => {
        pub(crate) static $name: LazyLock<(Regex, &'static str)> = LazyLock::new(|| {
            (
                Regex::new(concat!("^(?:", $pat, ")$")).expect("valid regex"),
                $pat,
            )
        });
    };
}

re!(NAME, "[a-zA-Z0-9-_]*");
re!(
    LAMBDA_ARN,
    "|arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+"
);
re!(
    ROOM_IDENTIFIER,
    "arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+"
);
re!(
    LOGGING_IDENTIFIER,
    "arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+"
);
re!(
    RESOURCE_ARN,
    "arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+"
);
re!(BUCKET_NAME, "[a-z0-9-.]+");
re!(LOG_GROUP_NAME, "[\\.\\-_/#A-Za-z0-9]+");
re!(DELIVERY_STREAM_NAME, "[a-zA-Z0-9_.-]+");
re!(ID, "[a-zA-Z0-9]+");

/// (min, max) length bounds, in Unicode code points.
pub(crate) const NAME_LEN: (usize, usize) = (0, 128);
pub(crate) const LAMBDA_ARN_LEN: (usize, usize) = (0, 170);
pub(crate) const IDENTIFIER_LEN: (usize, usize) = (1, 128);
pub(crate) const BUCKET_NAME_LEN: (usize, usize) = (3, 63);
pub(crate) const LOG_GROUP_NAME_LEN: (usize, usize) = (1, 512);
pub(crate) const DELIVERY_STREAM_NAME_LEN: (usize, usize) = (1, 64);
pub(crate) const TAG_KEY_LEN: (usize, usize) = (1, 128);
pub(crate) const TAG_VALUE_LEN: (usize, usize) = (0, 256);
pub(crate) const USER_ID_LEN: (usize, usize) = (1, 128);
pub(crate) const EVENT_NAME_LEN: (usize, usize) = (1, 100);
pub(crate) const REASON_LEN: (usize, usize) = (1, 256);
pub(crate) const ID_LEN: (usize, usize) = (12, 12);
pub(crate) const NEXT_TOKEN_LEN: (usize, usize) = (0, 1024);
/// Integer ranges.
pub(crate) const MAX_MESSAGE_LENGTH: (i64, i64) = (1, 500);
pub(crate) const MAX_MESSAGE_RATE: (i64, i64) = (1, 100);
pub(crate) const MAX_RESULTS: (i64, i64) = (1, 50);
pub(crate) const SESSION_DURATION: (i64, i64) = (1, 180);
/// Collection sizes.
pub(crate) const MAX_TAGS: usize = 50;
pub(crate) const MAX_LOGGING_IDENTIFIERS: usize = 3;
/// Total size of token / event attributes, in bytes.
pub(crate) const MAX_ATTRIBUTES_BYTES: usize = 1024;
pub(crate) const FALLBACK_RESULTS: &[&str] = &["ALLOW", "DENY"];
pub(crate) const CAPABILITIES: &[&str] = &["SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"];

/// Collects constraint violations of one request.
#[derive(Default)]
pub(crate) struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn fail(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            name: name.to_owned(),
            message: message.into(),
        });
    }

    /// Checks presence; returns the value when present.
    pub(crate) fn required<'a, T>(&mut self, name: &str, v: &'a Option<T>) -> Option<&'a T> {
        if v.is_none() {
            self.fail(name, "Member must not be null");
        }
        v.as_ref()
    }

    pub(crate) fn length(&mut self, name: &str, s: &str, (min, max): (usize, usize)) -> bool {
        let n = s.chars().count();
        if n < min {
            self.fail(
                name,
                format!("Member must have length greater than or equal to {min}"),
            );
            false
        } else if n > max {
            self.fail(
                name,
                format!("Member must have length less than or equal to {max}"),
            );
            false
        } else {
            true
        }
    }

    pub(crate) fn pattern(&mut self, name: &str, s: &str, re: &LazyLock<(Regex, &'static str)>) {
        let (re, pat) = &**re;
        if !re.is_match(s) {
            self.fail(
                name,
                format!("Member must satisfy regular expression pattern: {pat}"),
            );
        }
    }

    /// Length then pattern (the pattern is only checked when the length is fine).
    pub(crate) fn string(
        &mut self,
        name: &str,
        s: &str,
        len: (usize, usize),
        re: Option<&LazyLock<(Regex, &'static str)>>,
    ) {
        if self.length(name, s, len)
            && let Some(re) = re
        {
            self.pattern(name, s, re);
        }
    }

    pub(crate) fn range(&mut self, name: &str, v: i64, (min, max): (i64, i64)) {
        if v < min {
            self.fail(
                name,
                format!("Member must have value greater than or equal to {min}"),
            );
        } else if v > max {
            self.fail(
                name,
                format!("Member must have value less than or equal to {max}"),
            );
        }
    }

    pub(crate) fn one_of(&mut self, name: &str, v: &str, allowed: &[&str]) {
        if !allowed.contains(&v) {
            self.fail(
                name,
                format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            );
        }
    }

    pub(crate) fn room_identifier(&mut self, name: &str, v: &Option<String>) {
        if let Some(v) = self.required(name, v) {
            self.string(name, v, IDENTIFIER_LEN, Some(&ROOM_IDENTIFIER));
        }
    }

    pub(crate) fn logging_identifier(&mut self, name: &str, v: &str) {
        self.string(name, v, IDENTIFIER_LEN, Some(&LOGGING_IDENTIFIER));
    }

    pub(crate) fn logging_identifiers(&mut self, name: &str, list: &[String]) {
        if list.len() > MAX_LOGGING_IDENTIFIERS {
            self.fail(
                name,
                format!("Member must have length less than or equal to {MAX_LOGGING_IDENTIFIERS}"),
            );
        }
        for (i, v) in list.iter().enumerate() {
            self.logging_identifier(&format!("{name}.{}", i + 1), v);
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in list {
            if !seen.insert(v) {
                self.fail(name, "Member must not contain duplicate identifiers");
                break;
            }
        }
    }

    pub(crate) fn tag_key(&mut self, name: &str, k: &str) {
        if self.length(name, k, TAG_KEY_LEN) && k.to_ascii_lowercase().starts_with("aws:") {
            self.fail(
                name,
                "Tag keys starting with 'aws:' are reserved for AWS use",
            );
        }
    }

    pub(crate) fn tags(&mut self, name: &str, tags: &BTreeMap<String, String>) {
        if tags.len() > MAX_TAGS {
            self.fail(
                name,
                format!("Member must have length less than or equal to {MAX_TAGS}"),
            );
        }
        for (k, v) in tags {
            self.tag_key(&format!("{name}.key"), k);
            self.length(&format!("{name}.value"), v, TAG_VALUE_LEN);
        }
    }

    pub(crate) fn attributes(&mut self, name: &str, attrs: &BTreeMap<String, String>) {
        let total: usize = attrs.iter().map(|(k, v)| k.len() + v.len()).sum();
        if total > MAX_ATTRIBUTES_BYTES {
            self.fail(
                name,
                format!("Member must have a total size less than or equal to {MAX_ATTRIBUTES_BYTES} bytes"),
            );
        }
    }

    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let n = self.errors.len();
        let details: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                format!(
                    "Value at '{}' failed to satisfy constraint: {}",
                    e.name, e.message
                )
            })
            .collect();
        let plural = if n == 1 { "error" } else { "errors" };
        Err(ApiError::Validation {
            message: format!("{n} validation {plural} detected: {}", details.join("; ")),
            reason: ValidationReason::FieldValidationFailed,
            fields: self.errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_anchored() {
        let mut v = Validator::new();
        v.pattern("name", "ok-name_1", &NAME);
        v.pattern("uri", "", &LAMBDA_ARN);
        v.pattern(
            "uri",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            &LAMBDA_ARN,
        );
        v.pattern(
            "arn",
            "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234",
            &RESOURCE_ARN,
        );
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        v.pattern("name", "bad name", &NAME);
        v.pattern(
            "uri",
            "arn:aws:lambda:us-east-1:1234:function:f",
            &LAMBDA_ARN,
        );
        v.pattern("bucket", "UPPER", &BUCKET_NAME);
        assert!(v.finish().is_err());
    }
}
