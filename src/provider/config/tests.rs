use std::collections::BTreeMap;
use std::path::PathBuf;

use std::time::Duration;

use super::*;
use crate::aws::Operation;
use crate::value::Value;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn block(pairs: Vec<(&str, Value)>) -> Value {
    Value::List(vec![obj(pairs)])
}

/// A temp dir with a config and a credentials file, and an env pointing at them.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(config: &str, credentials: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::write(dir.path().join("credentials"), credentials).unwrap();
        Fixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn env(&self, extra: &[(&str, &str)]) -> Env {
        let config = self.path("config");
        let creds = self.path("credentials");
        let mut pairs: Vec<(&str, &str)> = vec![
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ];
        pairs.extend_from_slice(extra);
        Env::from_pairs(pairs)
    }

    fn files(&self, cfg: &ProviderConfig, env: &Env) -> SharedFiles {
        let (c, k) = shared_file_paths(cfg, env);
        load_shared_files(&c, &k)
    }
}

const CONFIG: &str = "\
[default]
region = eu-west-1
endpoint_url = http://global-from-profile:1
services = local

[profile dev] # a comment
region = ap-south-1
services = dev-services

[profile plain]
region = us-west-2

[services local]
ivschat =
  endpoint_url = http://ivschat-from-services:2
s3 =
  endpoint_url = http://s3:3

[services dev-services]
ivschat =
  endpoint_url = http://dev-ivschat:4
";

const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = s1

[dev]
aws_access_key_id = AKIDDEV
aws_secret_access_key = s2
";

#[test]
fn parses_the_provider_block_including_unknowns_and_blocks() {
    let v = obj(vec![
        ("region", Value::unknown()),
        ("profile", Value::string("dev")),
        ("max_retries", Value::int(3)),
        (
            "shared_config_files",
            Value::List(vec![Value::string("/a"), Value::string("/b")]),
        ),
        (
            "endpoints",
            block(vec![("ivschat", Value::string("http://127.0.0.1:9"))]),
        ),
        (
            "assume_role",
            Value::List(vec![
                obj(vec![
                    ("role_arn", Value::string("arn:aws:iam::1:role/a")),
                    ("duration", Value::string("1h")),
                ]),
                obj(vec![("role_arn", Value::string("arn:aws:iam::1:role/b"))]),
            ]),
        ),
        (
            "default_tags",
            block(vec![(
                "tags",
                Value::Map(BTreeMap::from([("env".into(), Value::unknown())])),
            )]),
        ),
        ("rate_limits", block(vec![("room", Value::int(2))])),
    ]);
    let c = ProviderConfig::from_value(&v);
    assert_eq!(c.region, Setting::Unknown);
    assert_eq!(c.profile, Setting::Set("dev".into()));
    assert_eq!(c.max_retries, Setting::Set(3));
    assert_eq!(
        c.shared_config_files,
        Setting::Set(vec!["/a".into(), "/b".into()])
    );
    assert_eq!(
        c.endpoint_ivschat,
        Setting::Set("http://127.0.0.1:9".into())
    );
    assert_eq!(c.assume_role.len(), 2);
    assert_eq!(c.assume_role[0].duration, Setting::Set("1h".into()));
    assert!(c.default_tags.entries().unwrap()["env"].is_unknown());
    assert_eq!(c.rate_limits().rate(Operation::GetRoom.lane()), 2.0);
    assert_eq!(c.rate_limits().rate(Operation::TagResource.lane()), 10.0);
    assert_eq!(c.access_key, Setting::Unset);
}

#[test]
fn shared_files_parse_profiles_services_and_comments() {
    let mut f = SharedFiles::default();
    f.add(FileKind::Config, CONFIG);
    f.add(FileKind::Credentials, CREDENTIALS);
    assert_eq!(f.profile_value("default", "region"), Some("eu-west-1"));
    assert_eq!(f.profile_value("dev", "region"), Some("ap-south-1"));
    assert_eq!(f.profile_value("dev", "aws_access_key_id"), Some("AKIDDEV"));
    assert_eq!(
        f.service_endpoint("default", "ivschat"),
        Some("http://ivschat-from-services:2")
    );
    assert_eq!(
        f.service_endpoint("dev", "ivschat"),
        Some("http://dev-ivschat:4")
    );
    assert_eq!(f.service_endpoint("plain", "ivschat"), None);
    // In the config file only `[profile x]` and `[default]` are profiles.
    let mut g = SharedFiles::default();
    g.add(FileKind::Config, "[dev]\nregion = x\n");
    assert!(!g.has_profile("dev"));
}

#[test]
fn region_precedence_config_then_env_then_profile() {
    let fx = Fixture::new(CONFIG, CREDENTIALS);
    let mut cfg = ProviderConfig::default();
    // Only the default profile's region.
    let env = fx.env(&[]);
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("eu-west-1".into())
    );
    // AWS_PROFILE picks another profile.
    let env = fx.env(&[("AWS_PROFILE", "plain")]);
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("us-west-2".into())
    );
    // The provider's profile wins over AWS_PROFILE.
    cfg.profile = Setting::Set("dev".into());
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("ap-south-1".into())
    );
    // AWS_DEFAULT_REGION wins over the profile, AWS_REGION over AWS_DEFAULT_REGION.
    let env = fx.env(&[("AWS_DEFAULT_REGION", "ca-central-1")]);
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("ca-central-1".into())
    );
    let env = fx.env(&[
        ("AWS_DEFAULT_REGION", "ca-central-1"),
        ("AWS_REGION", "sa-east-1"),
    ]);
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("sa-east-1".into())
    );
    // The provider block wins over everything.
    cfg.region = Setting::Set("us-east-1".into());
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("us-east-1".into())
    );
    // Unknown stays unknown; nothing at all is unset.
    cfg.region = Setting::Unknown;
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Unknown
    );
    let empty = Env::from_pairs([("HOME", fx.dir.path().join("nohome").to_str().unwrap())]);
    let none = ProviderConfig::default();
    assert_eq!(
        resolve_region(&none, &empty, &fx.files(&none, &empty)),
        Setting::Unset
    );
}

#[test]
fn shared_config_files_argument_wins_over_aws_config_file() {
    let fx = Fixture::new(CONFIG, CREDENTIALS);
    std::fs::write(fx.path("other"), "[default]\nregion = eu-north-1\n").unwrap();
    let cfg = ProviderConfig {
        shared_config_files: Setting::Set(vec![fx.path("other").to_str().unwrap().to_owned()]),
        ..ProviderConfig::default()
    };
    let env = fx.env(&[]);
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("eu-north-1".into())
    );
}

#[test]
fn home_relative_paths_expand_from_the_env_home() {
    let fx = Fixture::new("", "");
    std::fs::create_dir_all(fx.path(".aws")).unwrap();
    std::fs::write(fx.path(".aws/config"), "[default]\nregion = me-south-1\n").unwrap();
    let env = Env::from_pairs([("HOME", fx.dir.path().to_str().unwrap())]);
    let cfg = ProviderConfig::default();
    assert_eq!(
        resolve_region(&cfg, &env, &fx.files(&cfg, &env)),
        Setting::Set("me-south-1".into())
    );
}

#[test]
fn endpoint_precedence_follows_hashicorp_aws() {
    let fx = Fixture::new(CONFIG, CREDENTIALS);
    let mut cfg = ProviderConfig::default();
    let src =
        |cfg: &ProviderConfig, env: &Env| match resolve_endpoint(cfg, env, &fx.files(cfg, env)) {
            Setting::Set((url, source)) => Some((url, source)),
            _ => None,
        };
    // 6. the profile's endpoint_url... but its services section comes first (5).
    let env = fx.env(&[]);
    assert_eq!(
        src(&cfg, &env),
        Some((
            "http://ivschat-from-services:2".into(),
            EndpointSource::ServiceSharedConfig
        ))
    );
    let env = fx.env(&[("AWS_PROFILE", "plain")]);
    assert_eq!(
        src(&cfg, &env),
        None,
        "no endpoint anywhere for profile plain"
    );
    std::fs::write(fx.path("config"), CONFIG.replace("services = local\n", "")).unwrap();
    let env = fx.env(&[]);
    assert_eq!(
        src(&cfg, &env),
        Some((
            "http://global-from-profile:1".into(),
            EndpointSource::GlobalSharedConfig
        ))
    );
    std::fs::write(fx.path("config"), CONFIG).unwrap();
    // 4. AWS_ENDPOINT_URL beats the shared config.
    let env = fx.env(&[("AWS_ENDPOINT_URL", "http://global-env:5")]);
    assert_eq!(
        src(&cfg, &env),
        Some(("http://global-env:5".into(), EndpointSource::GlobalEnv))
    );
    // 3. AWS_ENDPOINT_URL_IVSCHAT beats AWS_ENDPOINT_URL.
    let env = fx.env(&[
        ("AWS_ENDPOINT_URL", "http://global-env:5"),
        ("AWS_ENDPOINT_URL_IVSCHAT", "http://svc-env:6"),
    ]);
    assert_eq!(
        src(&cfg, &env),
        Some(("http://svc-env:6".into(), EndpointSource::ServiceEnv))
    );
    // 2. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS drops env and files...
    let env = fx.env(&[
        ("AWS_ENDPOINT_URL_IVSCHAT", "http://svc-env:6"),
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
    ]);
    assert_eq!(src(&cfg, &env), None);
    // 1. ...but never the provider block, which beats everything.
    cfg.endpoint_ivschat = Setting::Set("http://127.0.0.1:7".into());
    assert_eq!(
        src(&cfg, &env),
        Some(("http://127.0.0.1:7".into(), EndpointSource::ProviderBlock))
    );
    let env = fx.env(&[("AWS_ENDPOINT_URL_IVSCHAT", "http://svc-env:6")]);
    assert_eq!(
        src(&cfg, &env),
        Some(("http://127.0.0.1:7".into(), EndpointSource::ProviderBlock))
    );
    // The profile setting ignore_configured_endpoint_urls works like the variable.
    let cfg = ProviderConfig::default();
    std::fs::write(
        fx.path("config"),
        CONFIG.replace(
            "[default]\n",
            "[default]\nignore_configured_endpoint_urls = true\n",
        ),
    )
    .unwrap();
    let env = fx.env(&[("AWS_ENDPOINT_URL", "http://global-env:5")]);
    assert_eq!(src(&cfg, &env), None);
    // An unknown endpoint (or unknown profile) is unknown.
    let cfg = ProviderConfig {
        endpoint_ivschat: Setting::Unknown,
        ..ProviderConfig::default()
    };
    assert_eq!(
        resolve_endpoint(&cfg, &env, &SharedFiles::default()),
        Setting::Unknown
    );
    let cfg = ProviderConfig {
        profile: Setting::Unknown,
        ..ProviderConfig::default()
    };
    assert_eq!(
        resolve_endpoint(&cfg, &Env::default(), &SharedFiles::default()),
        Setting::Unknown
    );
}

#[test]
fn credential_precedence_block_then_profile_then_env_then_chain() {
    let env_keys = Env::from_pairs([
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "envsecret"),
        ("AWS_SESSION_TOKEN", "envtoken"),
        ("AWS_PROFILE", "fromenv"),
    ]);
    let mut cfg = ProviderConfig::default();
    // Nothing configured: environment keys.
    match credential_source(&cfg, &env_keys) {
        Setting::Set(CredentialSource::Environment(k)) => {
            assert_eq!(k.access_key, "AKIDENV");
            assert_eq!(k.token.as_deref(), Some("envtoken"));
        }
        other => panic!("{other:?}"),
    }
    // No keys in the environment: the default chain with AWS_PROFILE.
    let env_profile = Env::from_pairs([("AWS_PROFILE", "fromenv"), ("AWS_ACCESS_KEY_ID", "half")]);
    assert_eq!(
        credential_source(&cfg, &env_profile),
        Setting::Set(CredentialSource::DefaultChain {
            profile: Some("fromenv".into())
        })
    );
    assert_eq!(
        credential_source(&cfg, &Env::default()),
        Setting::Set(CredentialSource::DefaultChain { profile: None })
    );
    // An explicit profile wins over environment keys (hashicorp/aws).
    cfg.profile = Setting::Set("dev".into());
    assert_eq!(
        credential_source(&cfg, &env_keys),
        Setting::Set(CredentialSource::Profile("dev".into()))
    );
    // Static keys in the block win over everything.
    cfg.access_key = Setting::Set("AKIDBLOCK".into());
    cfg.secret_key = Setting::Set("blocksecret".into());
    match credential_source(&cfg, &env_keys) {
        Setting::Set(CredentialSource::ProviderBlock(k)) => {
            assert_eq!(k.access_key, "AKIDBLOCK");
            assert_eq!(
                k.token, None,
                "the env session token never mixes with block keys"
            );
        }
        other => panic!("{other:?}"),
    }
    // Debug output never shows keys.
    let shown = format!("{:?}", credential_source(&cfg, &env_keys));
    assert!(
        !shown.contains("blocksecret") && !shown.contains("AKIDBLOCK"),
        "{shown}"
    );
    // Half-set static keys fall through (validation reports them).
    cfg.secret_key = Setting::Unset;
    assert_eq!(
        credential_source(&cfg, &env_keys),
        Setting::Set(CredentialSource::Profile("dev".into()))
    );
    // Unknown keys make the source unknown.
    cfg.secret_key = Setting::Unknown;
    assert_eq!(credential_source(&cfg, &env_keys), Setting::Unknown);
}

/// The provider reads `assume_role { duration }` with the shared Go-duration parser.
fn parse_duration(text: &str) -> Option<Duration> {
    crate::duration::parse_go_duration(text, crate::duration::ANY_GO_DURATION)
}

#[test]
fn durations_regions_and_urls() {
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
    assert_eq!(parse_duration("900s"), Some(Duration::from_secs(900)));
    assert_eq!(parse_duration("15"), None);
    assert_eq!(parse_duration("1d"), None);
    for good in [
        "us-east-1",
        "us-gov-west-1",
        "eu-central-2",
        "ap-southeast-5",
        "cn-north-1",
    ] {
        assert!(is_region_format(good), "{good}");
    }
    for bad in ["us-east", "US-EAST-1", "useast1", "local", "us-east-1a", ""] {
        assert!(!is_region_format(bad), "{bad}");
    }
    assert_eq!(endpoint_problem("http://127.0.0.1:4566"), None);
    assert_eq!(
        endpoint_problem("https://ivschat.us-east-1.amazonaws.com"),
        None
    );
    assert!(endpoint_problem("127.0.0.1:4566").is_some());
    assert!(endpoint_problem("ftp://host").is_some());
    assert!(endpoint_problem("not a url").is_some());
    assert!(endpoint_problem("http://host/?x=1").is_some());
}

#[test]
fn ignore_tags_from_config_and_env() {
    let cfg = ProviderConfig {
        ignore_tags_keys: Setting::Set(vec!["owner".into()]),
        ignore_tags_key_prefixes: Setting::Set(vec!["kubernetes.io/".into()]),
        ..ProviderConfig::default()
    };
    let env = Env::from_pairs([
        ("TF_AWS_IGNORE_TAGS_KEYS", "a, b"),
        ("TF_AWS_IGNORE_TAGS_KEY_PREFIXES", "sys:"),
    ]);
    let i = IgnoreTags::from_config(&cfg, &env);
    for k in ["owner", "a", "b", "kubernetes.io/cluster", "sys:x"] {
        assert!(i.ignores(k), "{k}");
    }
    assert!(!i.ignores("env"));
}
