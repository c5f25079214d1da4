//! Credentials, built lazily: configure only decides where credentials will come from
//! ([`CredentialPlan`]); the providers (shared files, SSO, STS role assumption, IMDS...) are
//! built and asked on the first API call, then cached and refreshed by the SDK's identity cache.
//! So configure never touches the network, and a configuration that never calls AWS (the
//! emulator with static keys, `terraform validate`) never needs working credentials.
//!
//! STS (web identity, role assumption) is reached exactly as IVS Chat is: the same HTTP client
//! (proxy, CA bundle, `insecure`), the same timeouts, and `endpoints.sts` when set.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use aws_config::BehaviorVersion;
// aws-config names these through deprecated aliases of aws-runtime types; same types.
#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_ivschat::config::SharedHttpClient;
use aws_sdk_ivschat::config::timeout::TimeoutConfig;
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

    /// The loader for STS clients: the IVS Chat client's network settings and `endpoints.sts`.
    fn sts_loader(&self, network: &HttpSetup) -> aws_config::ConfigLoader {
        let mut loader = self.loader().timeout_config(network.timeouts.clone());
        if let Some(h) = &network.http_client {
            loader = loader.http_client(h.clone());
        }
        if let Some(e) = &self.sts_endpoint {
            loader = loader.endpoint_url(e);
        }
        loader
    }

    /// Builds the provider chain. Runs on the first API call. Loading reads the shared files
    /// but makes no network call: the providers themselves call out only when asked.
    async fn build(
        &self,
        network: &HttpSetup,
    ) -> Result<SharedCredentialsProvider, CredentialsError> {
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
            let token = match (&w.token_file, &w.token) {
                (Some(f), _) => WebIdentityToken::File(f.clone()),
                (None, Some(token)) => WebIdentityToken::Literal(token.clone()),
                (None, None) => {
                    return Err(CredentialsError::invalid_configuration(
                        "assume_role_with_web_identity needs web_identity_token or web_identity_token_file",
                    ));
                }
            };
            // AssumeRoleWithWebIdentity is unsigned: the token is the credential.
            let sts = self.sts_loader(network).no_credentials().load().await;
            current = SharedCredentialsProvider::new(WebIdentityProvider {
                sts: aws_sdk_sts::Client::new(&sts),
                token,
                role_arn: w.role_arn.clone(),
                session_name: w.session_name.clone().unwrap_or_else(default_session_name),
                policy: w.policy.clone(),
                policy_arns: w.policy_arns.clone(),
            });
        }
        for role in &self.roles {
            let sts = self
                .sts_loader(network)
                .credentials_provider(current.clone())
                .load()
                .await;
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

/// STS's limit on a web identity token is 20,000 characters; a file far larger is not a token.
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Where the web identity token comes from. A literal token stays in memory (never written to
/// disk); a file is read again on every refresh, as tokens in files are rotated (EKS, CI).
#[derive(Clone)]
enum WebIdentityToken {
    Literal(String),
    File(PathBuf),
}

impl WebIdentityToken {
    async fn read(&self) -> Result<String, CredentialsError> {
        let path = match self {
            WebIdentityToken::Literal(t) => return Ok(t.clone()),
            WebIdentityToken::File(p) => p,
        };
        let unreadable = |why: String| {
            CredentialsError::invalid_configuration(format!(
                "web_identity_token_file {}: {why}",
                path.display()
            ))
        };
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        if meta.len() > MAX_TOKEN_FILE_BYTES {
            return Err(unreadable(format!(
                "{} bytes is larger than a token can be ({MAX_TOKEN_FILE_BYTES} bytes at most)",
                meta.len()
            )));
        }
        let text = tokio::fs::read_to_string(path)
            .await
            .map_err(|e| unreadable(e.to_string()))?;
        Ok(text.trim().to_owned())
    }
}

/// AssumeRoleWithWebIdentity with a token from memory or a file. Its answers are cached by the
/// identity cache of the client that uses it.
struct WebIdentityProvider {
    sts: aws_sdk_sts::Client,
    token: WebIdentityToken,
    role_arn: String,
    session_name: String,
    policy: Option<String>,
    policy_arns: Vec<String>,
}

impl fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebIdentityProvider")
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

impl WebIdentityProvider {
    async fn assume(&self) -> provider::Result {
        let token = self.token.read().await?;
        let policy_arns = self
            .policy_arns
            .iter()
            .map(|arn| {
                aws_sdk_sts::types::PolicyDescriptorType::builder()
                    .arn(arn)
                    .build()
            })
            .collect::<Vec<_>>();
        let out = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .web_identity_token(token)
            .set_policy(self.policy.clone())
            .set_policy_arns((!policy_arns.is_empty()).then_some(policy_arns))
            .send()
            .await
            .map_err(CredentialsError::provider_error)?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::unhandled("AssumeRoleWithWebIdentity answered without credentials")
        })?;
        let expiry = std::time::SystemTime::try_from(*c.expiration()).map_err(|e| {
            CredentialsError::unhandled(format!("STS sent an unusable expiration: {e}"))
        })?;
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            Some(expiry),
            "ivschat-web-identity",
        ))
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.assume())
    }
}

/// How AWS is reached: the HTTP client (`None`: the SDK's default) and timeouts the IVS Chat
/// client uses, so STS goes through the same proxy, CA bundle and `insecure` setting.
#[derive(Clone, Debug)]
pub struct HttpSetup {
    pub http_client: Option<SharedHttpClient>,
    pub timeouts: TimeoutConfig,
}

/// A credentials provider that builds its chain on first use.
pub struct LazyCredentials {
    plan: CredentialPlan,
    network: HttpSetup,
    built: OnceCell<Result<SharedCredentialsProvider, String>>,
}

impl LazyCredentials {
    pub fn new(plan: CredentialPlan, network: HttpSetup) -> LazyCredentials {
        LazyCredentials {
            plan,
            network,
            built: OnceCell::new(),
        }
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
                .get_or_init(|| async {
                    self.plan
                        .build(&self.network)
                        .await
                        .map_err(|e| e.to_string())
                })
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

    fn direct() -> HttpSetup {
        HttpSetup {
            http_client: None,
            timeouts: TimeoutConfig::builder().build(),
        }
    }

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
        let lazy = LazyCredentials::new(plan, direct());
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
        let creds = LazyCredentials::new(plan, direct())
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(creds.access_key_id(), "AKIDDEV");
    }
}
