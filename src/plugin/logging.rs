//! Logging the way Terraform reads it: one hclog-style JSON object per line
//! on stderr, for example
//! `{"@level":"info","@message":"plugin server listening","@module":"provider.ivschat","@timestamp":"2026-11-25T14:55:30.306000Z","address":"/tmp/..."}`.
//!
//! Terraform only recognises a line as structured when `@timestamp` has
//! exactly six fractional digits and a zone, so the timestamp is written by
//! hand in UTC with microseconds and `Z`. Event fields become extra keys.
//!
//! Level: `TF_LOG_PROVIDER`, else `TF_LOG`; `TRACE`, `DEBUG`, `INFO`, `WARN`,
//! `ERROR` (any case), `OFF`; `JSON` or any other non-empty value means
//! `TRACE`, as in Terraform. Unset: no logging at all. Events from
//! dependencies (hyper, h2, tonic) are capped at WARN.
//!
//! Never log secrets. Convention: configuration and state values
//! (`DynamicValue`s) are never logged, only type names, sizes and ids;
//! anything that may hold a credential or a chat token is wrapped in
//! [`Sensitive`], which prints a placeholder:
//! `tracing::debug!(token = %Sensitive(&token), "token created")`.

use std::fmt;

use tracing::{Event, Level, Subscriber, field::Field};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Value of `@module` in every line.
pub const MODULE: &str = "provider.ivschat";

/// Crates whose events are logged at the configured level.
const OWN_TARGETS: &[&str] = &["ivschat_provider", "terraform_provider_ivschat"];

/// Wraps a value that must never appear in logs; formats as a placeholder.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sensitive<T>(pub T);

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive value)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive value)")
    }
}

/// Parses a Terraform log level name. `None` means logging is off.
pub fn parse_level(value: &str) -> Option<LevelFilter> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    Some(match v.to_ascii_uppercase().as_str() {
        "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        // TRACE, JSON, and anything unrecognised.
        _ => LevelFilter::TRACE,
    })
}

/// The level from `TF_LOG_PROVIDER`, else `TF_LOG`, else off.
pub fn level_from_env() -> LevelFilter {
    ["TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|key| std::env::var(key).ok().and_then(|v| parse_level(&v)))
        .unwrap_or(LevelFilter::OFF)
}

/// Installs the global subscriber (stderr, JSON lines) at the level from the
/// environment. Cheap when logging is off. Calling it twice is harmless.
pub fn init() {
    init_with_level(level_from_env());
}

/// Like [`init`] with an explicit level.
pub fn init_with_level(level: LevelFilter) {
    if level == LevelFilter::OFF {
        return;
    }
    let mut targets = Targets::new().with_default(level.min(LevelFilter::WARN));
    for t in OWN_TARGETS {
        targets = targets.with_target(*t, level);
    }
    let layer = tracing_subscriber::fmt::layer()
        .event_format(HclogJson)
        .with_writer(std::io::stderr);
    // Fails only if a subscriber is already set, which is fine.
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(targets)
        .try_init();
}

/// Formats events as hclog JSON lines.
#[derive(Debug, Default, Clone, Copy)]
pub struct HclogJson;

impl<S, N> FormatEvent<S, N> for HclogJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        writeln!(writer, "{}", render(event, &timestamp_now()))
    }
}

/// Renders one event as a JSON object (without newline).
fn render(event: &Event<'_>, timestamp: &str) -> String {
    let mut visitor = JsonFields::default();
    event.record(&mut visitor);
    let mut map = visitor.fields;
    map.insert(
        "@level".into(),
        level_name(*event.metadata().level()).into(),
    );
    map.insert("@message".into(), visitor.message.into());
    map.insert("@module".into(), MODULE.into());
    map.insert("@timestamp".into(), timestamp.into());
    serde_json::Value::Object(map).to_string()
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
fn timestamp_now() -> String {
    format_timestamp(time::OffsetDateTime::now_utc())
}

fn format_timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[derive(Default)]
struct JsonFields {
    message: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

impl JsonFields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
        } else {
            // Keys starting with '@' are reserved for hclog's own fields.
            let name = field.name().trim_start_matches('@');
            self.fields.insert(name.to_owned(), value);
        }
    }
}

impl tracing::field::Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn levels() {
        assert_eq!(parse_level(""), None);
        assert_eq!(parse_level("off"), Some(LevelFilter::OFF));
        assert_eq!(parse_level("Info"), Some(LevelFilter::INFO));
        assert_eq!(parse_level("WARN"), Some(LevelFilter::WARN));
        assert_eq!(parse_level("json"), Some(LevelFilter::TRACE));
        assert_eq!(parse_level("1"), Some(LevelFilter::TRACE));
    }

    #[test]
    fn timestamp_has_six_digits_and_z() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_795_618_530_306_000_999).unwrap();
        assert_eq!(format_timestamp(t), "2026-11-25T14:55:30.306000Z");
        let now = timestamp_now();
        let frac = now.split('.').nth(1).unwrap();
        assert_eq!(frac.len(), 7, "{now}");
        assert!(frac.ends_with('Z'));
    }

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_hclog_json_and_filtered() {
        let buf = Buf::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(HclogJson)
                    .with_writer(move || writer.clone()),
            )
            .with(Targets::new().with_default(LevelFilter::INFO));
        tracing::subscriber::with_default(subscriber, || {
            let secret = "AKIA-secret";
            tracing::info!(count = 3, token = %Sensitive(secret), "hello \"world\"");
            tracing::debug!("not shown");
        });
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["@level"], "info");
        assert_eq!(v["@message"], "hello \"world\"");
        assert_eq!(v["@module"], "provider.ivschat");
        assert_eq!(v["count"], 3);
        assert_eq!(v["token"], "(sensitive value)");
        assert!(!out.contains("AKIA"));
        let ts = v["@timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2026-11-25T14:55:30.306000Z".len());
    }
}
