//! Durations in Go's syntax (`1h30m`, `45s`, `2m0.5s`, `500ms`), as Terraform users write them in
//! `timeouts` blocks and hashicorp/aws's `assume_role { duration }`.

use std::fmt;
use std::time::Duration;

/// The units Go's `time.ParseDuration` accepts, with their length in seconds.
const UNITS: [(&str, f64); 7] = [
    ("h", 3600.0),
    ("m", 60.0),
    ("s", 1.0),
    ("ms", 0.001),
    ("us", 0.000_001),
    ("µs", 0.000_001),
    ("ns", 0.000_000_001),
];

/// The inclusive range a parsed duration must fall in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationBounds {
    pub min: Duration,
    pub max: Duration,
}

/// The longest duration Go can represent (`math.MaxInt64` nanoseconds, about 292 years): the
/// stricter of this parser's two former bounds, and what Terraform's own parsing accepts.
#[cfg(test)]
pub const GO_MAX_DURATION: Duration = Duration::from_nanos(i64::MAX as u64);

/// Any duration Go can represent, zero included.
#[cfg(test)]
pub const ANY_GO_DURATION: DurationBounds = DurationBounds {
    min: Duration::ZERO,
    max: GO_MAX_DURATION,
};

/// An STS role session: AssumeRole accepts 900 to 43,200 seconds (the role's maximum session
/// length may be lower; STS then refuses the call with that limit).
pub const ROLE_SESSION: DurationBounds = DurationBounds {
    min: Duration::from_secs(15 * 60),
    max: Duration::from_secs(12 * 3600),
};

/// A `timeouts` value. IVS Chat settles in seconds, so a day is far beyond any real wait; the
/// bound also keeps every deadline computed from it representable.
pub const OPERATION_TIMEOUT: DurationBounds = DurationBounds {
    min: Duration::from_secs(1),
    max: Duration::from_secs(24 * 3600),
};

/// The provider's `max_read_lag`: how long IVS Chat's reads may lag its writes. An hour is far
/// beyond any lag a read or a lost create would reasonably wait out.
pub const READ_LAG: DurationBounds = DurationBounds {
    min: Duration::ZERO,
    max: Duration::from_secs(3600),
};

/// `start + wait`, or a year after `start` when that overflows the clock: every deadline and
/// wake-up derived from input goes through here, so no time sum can panic.
pub fn instant_after(start: tokio::time::Instant, wait: Duration) -> tokio::time::Instant {
    const FAR: Duration = Duration::from_secs(365 * 24 * 3600);
    start
        .checked_add(wait)
        .or_else(|| start.checked_add(FAR))
        .unwrap_or(start)
}

/// `1 / rate` seconds, clamped to [0, `max`]; zero for a rate that is not positive and finite.
pub fn interval_of_rate(rate: f64, max: Duration) -> Duration {
    if !(rate.is_finite() && rate > 0.0) {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(1.0 / rate).map_or(max, |d| d.min(max))
}

/// Why text is not an acceptable duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("is not a duration such as \"30s\", \"15m\" or \"1h30m\"")]
    Malformed,
    #[error("is outside the range {0}")]
    OutOfRange(DurationBounds),
}

impl fmt::Display for DurationBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to {}",
            format_go_duration(self.min),
            format_go_duration(self.max)
        )
    }
}

/// Writes a duration the way Go does for whole units (`15m`, `12h`, `1h30m`, `1.5s`), so bounds
/// read the same in messages and docs as users write them.
pub fn format_go_duration(d: Duration) -> String {
    if d.is_zero() {
        return "0s".to_owned();
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    let nanos = d.subsec_nanos();
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push_str(&format!("{s}.{}s", frac.trim_end_matches('0')));
    } else if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// Parses a duration such as `1h30m`; `None` when malformed (no unit, an unknown unit, an
/// empty string) or outside `bounds`. Never panics: overflow is out of bounds.
pub fn parse_go_duration(text: &str, bounds: DurationBounds) -> Option<Duration> {
    check_go_duration(text, bounds).ok()
}

/// Like [`parse_go_duration`], saying why the text is refused.
pub fn check_go_duration(text: &str, bounds: DurationBounds) -> Result<Duration, DurationError> {
    let parsed = parse_unbounded(text).ok_or(DurationError::Malformed)?;
    match parsed {
        Some(d) if (bounds.min..=bounds.max).contains(&d) => Ok(d),
        _ => Err(DurationError::OutOfRange(bounds)),
    }
}

/// `None` when malformed, `Some(None)` when well-formed but beyond `Duration`.
fn parse_unbounded(text: &str) -> Option<Option<Duration>> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = UNITS
            .iter()
            .find(|(unit, _)| *unit == &rest[..unit_len])
            .map(|(_, scale)| *scale)?;
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Some(Duration::try_from_secs_f64(total).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<Duration> {
        parse_go_duration(s, ANY_GO_DURATION)
    }

    #[test]
    fn go_units_and_compound_durations_parse() {
        assert_eq!(parse("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("900s"), Some(Duration::from_secs(900)));
        assert_eq!(parse("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse("3us"), Some(Duration::from_micros(3)));
        assert_eq!(parse("3µs"), Some(Duration::from_micros(3)));
    }

    #[test]
    fn malformed_or_out_of_bounds_durations_are_refused_without_panicking() {
        for s in ["", "10", "15", "1d", "ten minutes", "5x", "h", ".h"] {
            assert_eq!(parse(s), None, "{s:?}");
        }
        // Would overflow Duration (and panic in the panicking float-seconds conversion).
        assert_eq!(parse("99999999999999999999999h"), None);
        // Beyond Go's ~292 years.
        assert_eq!(parse("2562048h"), None);
        let bounds = DurationBounds {
            min: Duration::from_secs(900),
            max: Duration::from_secs(43200),
        };
        assert_eq!(parse_go_duration("14m", bounds), None);
        assert_eq!(
            parse_go_duration("15m", bounds),
            Some(Duration::from_secs(900))
        );
        assert_eq!(parse_go_duration("12h1s", bounds), None);
    }

    #[test]
    fn named_bounds_refuse_the_values_that_used_to_crash() {
        assert_eq!(
            check_go_duration("99999999999999999999h", ROLE_SESSION),
            Err(DurationError::OutOfRange(ROLE_SESSION))
        );
        assert_eq!(
            check_go_duration("3000000000000000h", OPERATION_TIMEOUT),
            Err(DurationError::OutOfRange(OPERATION_TIMEOUT))
        );
        assert_eq!(
            check_go_duration("24h", OPERATION_TIMEOUT),
            Ok(Duration::from_secs(86_400))
        );
        assert!(check_go_duration("24h0m1s", OPERATION_TIMEOUT).is_err());
        assert!(check_go_duration("0.5s", OPERATION_TIMEOUT).is_err());
        assert_eq!(
            check_go_duration("1x", OPERATION_TIMEOUT),
            Err(DurationError::Malformed)
        );
        assert_eq!(ROLE_SESSION.to_string(), "15m to 12h");
        assert_eq!(OPERATION_TIMEOUT.to_string(), "1s to 24h");
    }

    #[test]
    fn time_sums_saturate_instead_of_panicking() {
        let now = tokio::time::Instant::now();
        assert_eq!(
            instant_after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        // `now + Duration::MAX` panics; this stays in the future.
        assert!(instant_after(now, Duration::MAX) > now);
        let max = Duration::from_secs(100);
        // The rate from the issue: 1 / 1e-30 seconds used to panic converting float seconds.
        assert_eq!(interval_of_rate(1e-30, max), max);
        assert_eq!(interval_of_rate(f64::MIN_POSITIVE, max), max);
        assert_eq!(interval_of_rate(4.0, max), Duration::from_millis(250));
        assert_eq!(interval_of_rate(f64::NAN, max), Duration::ZERO);
        assert_eq!(interval_of_rate(-1.0, max), Duration::ZERO);
    }

    #[test]
    fn durations_format_as_go_writes_them() {
        assert_eq!(format_go_duration(Duration::ZERO), "0s");
        assert_eq!(format_go_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_go_duration(Duration::from_secs(3601)), "1h1s");
    }
}
