//! Chat logging: the messages and events of a room whose logging configurations are ACTIVE
//! are written under `--chat-log-dir`, one folder per destination kind and name, as JSON
//! lines in the documented record form
//! `{"event_timestamp", "type": "MESSAGE"|"EVENT", "version": "1.0", "payload": {...}}`:
//!
//! - S3: `s3/BUCKET/AWSLogs/ACCOUNT/IVSChatLogs/1.0/REGION/room_ID/YYYY/MM/DD/HH/chat.log`
//! - CloudWatch Logs: `cloudwatch-logs/GROUP/aws/IVSChatLogs/1.0/room_ID.log` (the stream)
//! - Firehose: `firehose/STREAM/records.log`
//!
//! (AWS gzips S3 objects and batches deliveries; here every record is appended at once,
//! uncompressed, so that tests and people can read it.)

use super::payload::Payload;
use crate::ids::{iso8601, parse_arn};
use crate::records::Destination;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Appends records; one lock so that lines of concurrent rooms never interleave.
pub(crate) struct ChatLog {
    dir: PathBuf,
    account: String,
    lock: Mutex<()>,
}

/// A destination name as one path component: no separators, no `..`.
fn component(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c == '\0' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if s.is_empty() || s == "." || s == ".." {
        format!("_{s}")
    } else {
        s
    }
}

impl ChatLog {
    pub(crate) fn new(dir: PathBuf, account: String) -> Self {
        Self {
            dir,
            account,
            lock: Mutex::new(()),
        }
    }

    fn file(&self, d: &Destination, region: &str, room_id: &str, now_ms: i64) -> PathBuf {
        match d {
            Destination::S3 { bucket_name } => {
                let t = iso8601(now_ms);
                let (y, m, day, h) = (&t[0..4], &t[5..7], &t[8..10], &t[11..13]);
                self.dir
                    .join("s3")
                    .join(component(bucket_name))
                    .join(format!(
                        "AWSLogs/{}/IVSChatLogs/1.0/{region}/room_{room_id}/{y}/{m}/{day}/{h}",
                        self.account
                    ))
                    .join("chat.log")
            }
            Destination::CloudWatchLogs { log_group_name } => self
                .dir
                .join("cloudwatch-logs")
                .join(component(log_group_name))
                .join("aws/IVSChatLogs/1.0")
                .join(format!("room_{room_id}.log")),
            Destination::Firehose {
                delivery_stream_name,
            } => self
                .dir
                .join("firehose")
                .join(component(delivery_stream_name))
                .join("records.log"),
        }
    }

    /// Writes one payload to every destination; failures are logged, never fatal.
    pub(crate) fn write(
        &self,
        room_arn: &str,
        destinations: &[Destination],
        payload: &Payload,
        now_ms: i64,
    ) {
        let kind = match payload {
            Payload::Message { .. } => "MESSAGE",
            Payload::Event { .. } => "EVENT",
            // Errors go to one client only and are not logged.
            Payload::Error { .. } => return,
        };
        let Some(p) = parse_arn(room_arn) else { return };
        let line = json!({
            "event_timestamp": iso8601(now_ms),
            "type": kind,
            "version": "1.0",
            "payload": payload,
        })
        .to_string();
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        for d in destinations {
            let path = self.file(d, p.region, p.id, now_ms);
            if let Err(e) = append(&path, &line) {
                tracing::warn!("chat log {}: {e}", path.display());
            }
        }
    }
}

fn append(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(f, "{line}")
}
