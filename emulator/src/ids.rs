//! Identifiers, ARNs and timestamps.

use rand::RngExt;
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHANUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh 12-character `[a-zA-Z0-9]` identifier.
pub(crate) fn new_id() -> String {
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(ALPHANUM[rng.random_range(0..ALPHANUM.len())]))
        .collect()
}

/// A request id in the usual UUID layout.
pub(crate) fn request_id() -> String {
    let b: [u8; 16] = rand::rng().random();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResourceKind {
    Room,
    LoggingConfiguration,
}

impl ResourceKind {
    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Room => "room",
            Self::LoggingConfiguration => "logging-configuration",
        }
    }
}

pub(crate) fn arn(region: &str, account: &str, kind: ResourceKind, id: &str) -> String {
    format!("arn:aws:ivschat:{region}:{account}:{}/{id}", kind.path())
}

/// A syntactically valid ivschat ARN, split up.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ParsedArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub kind: Option<ResourceKind>,
    pub id: &'a str,
}

/// Splits an ARN that already passed the model's pattern check.
pub(crate) fn parse_arn(arn: &str) -> Option<ParsedArn<'_>> {
    let rest = arn.strip_prefix("arn:aws:ivschat:")?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    let (kind, id) = resource.split_once('/')?;
    let kind = match kind {
        "room" => Some(ResourceKind::Room),
        "logging-configuration" => Some(ResourceKind::LoggingConfiguration),
        _ => None,
    };
    Some(ParsedArn {
        region,
        account,
        kind,
        id,
    })
}

/// Whether `r` has the form of a region name (lowercase letters, digits, `-`).
pub(crate) fn region_name(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 32
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Milliseconds since the Unix epoch, the machine's wall clock (the emulator's clock
/// adds [`crate::Config::clock_skew_ms`]: see `Shared::now_ms`).
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// ISO 8601 / RFC 3339 UTC with milliseconds, the form the SDKs parse for
/// `timestampFormat: iso8601`: `2026-01-02T03:04:05.678Z`.
pub(crate) fn iso8601(ms: i64) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// `ms` truncated to whole seconds.
pub(crate) fn whole_seconds(ms: i64) -> i64 {
    ms - ms.rem_euclid(1000)
}

/// The HTTP `Date` form (RFC 7231 IMF-fixdate, whole seconds):
/// `Tue, 14 Nov 2023 22:13:20 GMT`.
pub(crate) fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let dt = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[usize::from(dt.weekday().number_days_from_monday())],
        dt.day(),
        MONTHS[usize::from(u8::from(dt.month()) - 1)],
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_arns() {
        let id = new_id();
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        let a = arn("us-west-2", "123456789012", ResourceKind::Room, &id);
        let p = parse_arn(&a).unwrap();
        assert_eq!(p.region, "us-west-2");
        assert_eq!(p.kind, Some(ResourceKind::Room));
        assert_eq!(p.id, id);
        assert_eq!(iso8601(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(whole_seconds(1_700_000_000_999), 1_700_000_000_000);
        assert_eq!(whole_seconds(-1), -1000);
        assert_eq!(
            http_date(1_700_000_000_999),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
