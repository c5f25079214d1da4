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
            State::from_persisted(p).map_err(|reason| Error::StateFileInvalid {
                path: path.display().to_string(),
                reason,
            })
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

/// A new temporary file next to the state file, readable by its owner only (mode 0600 on
/// unix; on Windows the file inherits the directory's ACL, as the state file does). Created
/// exclusively (`O_CREAT | O_EXCL`, `CREATE_NEW` on Windows), so an existing file or symlink
/// of that name (planted or left by a crash) is never opened or followed: another name is
/// tried instead.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for _ in 0..8 {
        let nonce: u64 = rand::random();
        let tmp = dir.join(format!(".{name}.tmp-{}-{nonce:016x}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file name was free")))
}

/// Writes `bytes` to `path` atomically: `rename` replaces the old file in one step on unix
/// and on Windows (std uses `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING` there).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let (tmp, mut f) = create_temp(&dir, &name)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(&dir);
    Ok(())
}

/// Makes the rename durable: fsync of the directory on unix. Windows cannot open a
/// directory as a file and commits the rename with the file system's own journal.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        // Best effort: the data itself is already synced.
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
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
