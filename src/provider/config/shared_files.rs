//! The shared AWS config and credentials files: which to read, and what they say.

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};

use super::{Env, ProviderConfig, Setting};

/// One parsed shared file: profiles (`[default]`, `[profile x]` in config, `[x]` in
/// credentials) and `[services name]` sections with their per-service subsections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SharedFiles {
    profiles: BTreeMap<String, BTreeMap<String, String>>,
    /// services section name → service id → key → value.
    services: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

impl SharedFiles {
    /// Parses one file's text and merges it in; earlier values win over later ones
    /// (files are added in precedence order).
    pub fn add(&mut self, kind: FileKind, text: &str) {
        enum Section {
            None,
            Profile(String),
            Services(String),
        }
        let mut section = Section::None;
        let mut sub: Option<String> = None;
        for raw in text.lines() {
            let line = strip_comment(raw);
            if line.trim().is_empty() {
                continue;
            }
            let indented = line.starts_with(' ') || line.starts_with('\t');
            let line = line.trim();
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                sub = None;
                let header = header.trim();
                section = match (kind, header.split_once(char::is_whitespace)) {
                    (FileKind::Config, Some(("profile", name))) => {
                        Section::Profile(name.trim().to_owned())
                    }
                    (FileKind::Config, Some(("services", name))) => {
                        Section::Services(name.trim().to_owned())
                    }
                    (FileKind::Config, None) if header == "default" => {
                        Section::Profile("default".to_owned())
                    }
                    (FileKind::Config, _) => Section::None,
                    (FileKind::Credentials, _) => Section::Profile(header.to_owned()),
                };
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim().to_owned());
            match &section {
                Section::None => {}
                Section::Profile(p) => {
                    if indented {
                        continue; // sub-properties (s3 = ...) are not used here
                    }
                    let props = self.profiles.entry(p.clone()).or_default();
                    props.entry(key).or_insert(value);
                }
                Section::Services(s) => {
                    if !indented {
                        if value.is_empty() {
                            sub = Some(key);
                        } else {
                            sub = None;
                        }
                        continue;
                    }
                    if let Some(service) = &sub {
                        let svc = self
                            .services
                            .entry(s.clone())
                            .or_default()
                            .entry(service.clone())
                            .or_default();
                        svc.entry(key).or_insert(value);
                    }
                }
            }
        }
    }

    pub fn profile_value(&self, profile: &str, key: &str) -> Option<&str> {
        self.profiles
            .get(profile)
            .and_then(|p| p.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn has_profile(&self, profile: &str) -> bool {
        self.profiles.contains_key(profile)
    }

    /// `endpoint_url` for `service` in the `services` section the profile names.
    pub fn service_endpoint(&self, profile: &str, service: &str) -> Option<&str> {
        let section = self.profile_value(profile, "services")?;
        self.services
            .get(section)
            .and_then(|s| s.get(service))
            .and_then(|props| props.get("endpoint_url"))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with(';') {
        return "";
    }
    // Inline comments need whitespace before the marker, as in the AWS CLI.
    for marker in [" #", "\t#", " ;", "\t;"] {
        if let Some(i) = line.find(marker) {
            return &line[..i];
        }
    }
    line
}

fn expand_home(path: &str, env: &Env) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"))
        && let Some(home) = env.get("HOME").or_else(|| env.get("USERPROFILE"))
    {
        return FsPath::new(home).join(rest);
    }
    PathBuf::from(path)
}

/// Which shared files to read: the provider's lists, else `AWS_CONFIG_FILE` /
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`.
pub fn shared_file_paths(cfg: &ProviderConfig, env: &Env) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let pick = |setting: &Setting<Vec<String>>, var: &str, default: &str| -> Vec<PathBuf> {
        match setting {
            Setting::Set(files) if !files.is_empty() => {
                files.iter().map(|f| expand_home(f, env)).collect()
            }
            _ => vec![expand_home(env.get(var).unwrap_or(default), env)],
        }
    };
    (
        pick(&cfg.shared_config_files, "AWS_CONFIG_FILE", "~/.aws/config"),
        pick(
            &cfg.shared_credentials_files,
            "AWS_SHARED_CREDENTIALS_FILE",
            "~/.aws/credentials",
        ),
    )
}

/// Reads the shared files that exist; missing files are fine (most machines have none). The
/// first file of a list wins over later ones, and the config file over the credentials file
/// for settings (region, endpoints) while credentials prefer the credentials file.
pub fn load_shared_files(config_files: &[PathBuf], credentials_files: &[PathBuf]) -> SharedFiles {
    let mut files = SharedFiles::default();
    for p in config_files {
        if let Ok(text) = std::fs::read_to_string(p) {
            files.add(FileKind::Config, &text);
        }
    }
    for p in credentials_files {
        if let Ok(text) = std::fs::read_to_string(p) {
            files.add(FileKind::Credentials, &text);
        }
    }
    files
}
