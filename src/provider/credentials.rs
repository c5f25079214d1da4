//! Credentials, built lazily: configure only decides where credentials will come from
//! ([`CredentialPlan`]); the providers (shared files, SSO, STS role assumption, IMDS...) are
//! built and asked on the first API call, then cached and refreshed by the SDK's identity cache.
//! So configure never touches the network, and a configuration that never calls AWS (the
//! emulator with static keys, `terraform validate`) never needs working credentials.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use aws_config::BehaviorVersion;
// aws-config names these through deprecated aliases of aws-runtime types; same types.
#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::sts::AssumeRoleProvider;
use aws_config::web_identity_token::{StaticConfiguration, WebIdentityTokenCredentialsProvider};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_types::region::Region;
use tokio::sync::OnceCell;

use super::config::{CredentialSource, StaticKeys};

/// One `assume_role` block, known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RolePlan {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<(String, String)>,
}

/// `assume_role_with_web_identity`, known.
#[derive(Clone, PartialEq)]
pub struct WebIdentityPlan {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
}

impl fmt::Debug for WebIdentityPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebIdentityPlan")
            .field("role_arn", &self.role_arn)
            .field("token_file", &self.token_file)
            .finish_non_exhaustive()
    }
}

/// Where credentials will come from, decided at configure time without I/O.
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialPlan {
    pub source: CredentialSource,
    /// Replaces the base credentials when set (hashicorp/aws semantics).
    pub web_identity: Option<WebIdentityPlan>,
    /// Roles assumed in order, each with the credentials of the previous step.
    pub roles: Vec<RolePlan>,
    /// The region STS calls use.
    pub region: String,
    pub config_files: Vec<PathBuf>,
    pub credentials_files: Vec<PathBuf>,
    pub sts_endpoint: Option<String>,
}

fn keys_provider(keys: &StaticKeys, name: &'static str) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(
        keys.access_key.clone(),
        keys.secret_key.clone(),
        keys.token.clone(),
        None,
        name,
    ))
}

impl CredentialPlan {
    #[allow(deprecated)]
    fn profile_files(&self) -> ProfileFiles {
        // Missing files are normal (most machines have no ~/.aws); aws-config refuses explicit
        // paths that do not exist, so those are given as empty contents. The empty config
        // contents first also keep the set non-empty, which aws-config requires.
        let mut b = ProfileFiles::builder().with_contents(ProfileFileKind::Config, "");
        for (kind, files) in [
            (ProfileFileKind::Config, &self.config_files),
            (ProfileFileKind::Credentials, &self.credentials_files),
        ] {
            for f in files {
                b = if f.is_file() {
                    b.with_file(kind, f)
                } else {
                    b.with_contents(kind, "")
                };
            }
        }
        b.build()
    }

    fn loader(&self) -> aws_config::ConfigLoader {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .profile_files(self.profile_files())
    }

    /// Builds the provider chain. Runs on the first API call. Loading reads the shared files
    /// but makes no network call: the providers themselves call out only when asked.
    async fn build(&self) -> Result<SharedCredentialsProvider, CredentialsError> {
        let mut current = match &self.source {
            CredentialSource::ProviderBlock(keys) => keys_provider(keys, "ivschat-provider-block"),
            CredentialSource::Environment(keys) => keys_provider(keys, "ivschat-environment"),
            CredentialSource::Profile(name) => {
                let conf = self.loader().profile_name(name).load().await;
                conf.credentials_provider().ok_or_else(|| {
                    CredentialsError::not_loaded(format!(
                        "profile {name:?} provides no credentials"
                    ))
                })?
            }
            CredentialSource::DefaultChain { profile } => {
                let mut loader = self.loader();
                if let Some(p) = profile {
                    loader = loader.profile_name(p);
                }
                let conf = loader.load().await;
                conf.credentials_provider().ok_or_else(|| {
                    CredentialsError::not_loaded("no credential source is configured")
                })?
            }
        };
        if let Some(w) = &self.web_identity {
            let token_file = match (&w.token_file, &w.token) {
                (Some(f), _) => f.clone(),
                (None, Some(token)) => {
                    write_token_file(token).map_err(CredentialsError::provider_error)?
                }
                (None, None) => {
                    return Err(CredentialsError::invalid_configuration(
                        "assume_role_with_web_identity needs web_identity_token or web_identity_token_file",
                    ));
                }
            };
            let pc = aws_config::provider_config::ProviderConfig::without_region()
                .with_region(Some(Region::new(self.region.clone())));
            let mut b = WebIdentityTokenCredentialsProvider::builder()
                .configure(&pc)
                .static_configuration(StaticConfiguration {
                    web_identity_token_file: token_file,
                    role_arn: w.role_arn.clone(),
                    session_name: w.session_name.clone().unwrap_or_else(default_session_name),
                });
            if let Some(p) = &w.policy {
                b = b.policy(p.clone());
            }
            if !w.policy_arns.is_empty() {
                b = b.policy_arns(w.policy_arns.clone());
            }
            current = SharedCredentialsProvider::new(b.build());
        }
        for role in &self.roles {
            let mut sts = self.loader().credentials_provider(current.clone());
            if let Some(e) = &self.sts_endpoint {
                sts = sts.endpoint_url(e);
            }
            let sts = sts.load().await;
            let mut b = AssumeRoleProvider::builder(role.role_arn.clone())
                .region(Region::new(self.region.clone()))
                .session_name(
                    role.session_name
                        .clone()
                        .unwrap_or_else(default_session_name),
                )
                .configure(&sts);
            if let Some(x) = &role.external_id {
                b = b.external_id(x.clone());
            }
            if let Some(d) = role.duration {
                b = b.session_length(d);
            }
            if let Some(p) = &role.policy {
                b = b.policy(p.clone());
            }
            if !role.policy_arns.is_empty() {
                b = b.policy_arns(role.policy_arns.clone());
            }
            if !role.tags.is_empty() {
                b = b.tags(role.tags.clone());
            }
            current = SharedCredentialsProvider::new(b.build_from_provider(current).await);
        }
        Ok(current)
    }
}

fn default_session_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("terraform-provider-ivschat-{secs}")
}

/// Writes a literal web identity token to a private temporary file (the SDK provider reads
/// tokens from files only).
fn write_token_file(token: &str) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!(
        "ivschat-provider-web-identity-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&path)?;
    f.write_all(token.as_bytes())?;
    Ok(path)
}

/// A credentials provider that builds its chain on first use.
pub struct LazyCredentials {
    plan: CredentialPlan,
    built: OnceCell<Result<SharedCredentialsProvider, String>>,
}

impl LazyCredentials {
    pub fn new(plan: CredentialPlan) -> LazyCredentials {
        LazyCredentials {
            plan,
            built: OnceCell::new(),
        }
    }

    pub fn plan(&self) -> &CredentialPlan {
        &self.plan
    }
}

impl fmt::Debug for LazyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyCredentials")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for LazyCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            let built = self
                .built
                .get_or_init(|| async { self.plan.build().await.map_err(|e| e.to_string()) })
                .await;
            match built {
                Ok(p) => p.provide_credentials().await,
                Err(e) => Err(CredentialsError::not_loaded(e.clone())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn static_keys_need_no_io_and_are_not_debug_printed() {
        let plan = CredentialPlan {
            source: CredentialSource::ProviderBlock(StaticKeys {
                access_key: "AKIDEXAMPLE".into(),
                secret_key: "very-secret".into(),
                token: None,
            }),
            web_identity: None,
            roles: vec![],
            region: "us-east-1".into(),
            config_files: vec![],
            credentials_files: vec![],
            sts_endpoint: None,
        };
        let lazy = LazyCredentials::new(plan);
        let printed = format!("{lazy:?}");
        assert!(
            !printed.contains("very-secret") && !printed.contains("AKIDEXAMPLE"),
            "{printed}"
        );
        let creds = lazy.provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
    }

    #[tokio::test]
    async fn a_profile_is_read_from_the_given_files_on_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let creds_file = dir.path().join("credentials");
        std::fs::write(
            &creds_file,
            "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n",
        )
        .unwrap();
        let plan = CredentialPlan {
            source: CredentialSource::Profile("dev".into()),
            web_identity: None,
            roles: vec![],
            region: "us-east-1".into(),
            config_files: vec![dir.path().join("missing-config")],
            credentials_files: vec![creds_file],
            sts_endpoint: None,
        };
        let creds = LazyCredentials::new(plan)
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(creds.access_key_id(), "AKIDDEV");
    }
}
