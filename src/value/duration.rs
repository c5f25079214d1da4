//! Durations in Go's syntax (`1h30m`, `45s`, `2m0.5s`, `500ms`), as Terraform users write them in
//! `timeouts` blocks and hashicorp/aws's `assume_role { duration }`.

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
pub const GO_MAX_DURATION: Duration = Duration::from_nanos(i64::MAX as u64);

/// Any duration Go can represent, zero included.
pub const ANY_GO_DURATION: DurationBounds = DurationBounds {
    min: Duration::ZERO,
    max: GO_MAX_DURATION,
};

/// Parses a duration such as `1h30m`; `None` when malformed (no unit, an unknown unit, an
/// empty string) or outside `bounds`. Never panics: overflow is out of bounds.
pub fn parse_go_duration(text: &str, bounds: DurationBounds) -> Option<Duration> {
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
    let parsed = Duration::try_from_secs_f64(total).ok()?;
    (bounds.min..=bounds.max)
        .contains(&parsed)
        .then_some(parsed)
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
        // Would overflow Duration (and panic in Duration::from_secs_f64).
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
}
