//! State file: load at start, write behind every change (temp file + fsync + rename).

use crate::app::App;
use crate::error::Error;
use crate::store::{Persisted, State};
use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) fn load(path: &Path) -> Result<State, Error> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let p: Persisted =
                serde_json::from_slice(&bytes).map_err(|source| Error::StateFile {
                    path: path.display().to_string(),
                    source,
                })?;
            Ok(State::from_persisted(p))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Created at the first change; its directory must exist by then.
            match path.parent().filter(|d| !d.as_os_str().is_empty()) {
                Some(dir) if !dir.is_dir() => Err(Error::StateFileRead {
                    path: path.display().to_string(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("directory {} does not exist", dir.display()),
                    ),
                }),
                _ => Ok(State::new()),
            }
        }
        Err(source) => Err(Error::StateFileRead {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Serializes the state if it changed since `last`; returns the new version.
pub(crate) async fn save_if_changed(app: &App, path: &Path, last: u64) -> u64 {
    // Copy under the lock; serialize and write outside it.
    let (version, snapshot) = {
        let s = app.lock();
        if s.version == last {
            return last;
        }
        (s.version, s.to_persisted())
    };
    let path = path.to_path_buf();
    let write = move || {
        let bytes = serde_json::to_vec_pretty(&snapshot).map_err(std::io::Error::other)?;
        write_atomic(&path, &bytes)
    };
    match tokio::task::spawn_blocking(write).await {
        Ok(Ok(())) => version,
        Ok(Err(e)) => {
            tracing::error!("writing state file failed: {e}");
            last
        }
        Err(e) => {
            tracing::error!("state writer task failed: {e}");
            last
        }
    }
}
