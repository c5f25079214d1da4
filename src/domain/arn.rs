//! IVS Chat ARNs, parsed at the edge: `arn:<partition>:ivschat:<region>:<account>:<kind>/<id>`.
//!
//! The one rule every schema, import and function uses, after the AWS model's `RoomArn` and
//! `LoggingConfigurationArn` shapes (`arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+`, at
//! most 128 characters), with two deliberate differences: any AWS partition (`aws`, `aws-cn`,
//! `aws-us-gov`, ...), since the model's literal `aws` would refuse objects of the other
//! partitions, and an account of exactly 12 digits, as every AWS account id is.

use std::fmt;
use std::str::FromStr;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Validator;
use crate::value::{Path, Value};

/// The longest ARN the API accepts.
pub const MAX_ARN_LENGTH: usize = 128;

/// The digits of an AWS account id.
pub const ACCOUNT_DIGITS: usize = 12;

/// A kind of IVS Chat object an ARN can name. Each is declared with its concept
/// ([`crate::domain::room`], [`crate::domain::logging_configuration`]); the types that are
/// such objects declare it ([`crate::domain::declaration`]), and the registry hands the list to
/// the callers of the parser that accept any kind ([`Arn::parse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArnKind {
    /// The resource part of the ARN: `room`, `logging-configuration`.
    pub resource: &'static str,
    /// The kind in words: `room`, `logging configuration`.
    pub words: &'static str,
    /// The kind as a title: `Room`, `Logging Configuration`.
    pub title: &'static str,
    /// The Terraform type name without the provider prefix: `room`, `logging_configuration`.
    pub type_name: &'static str,
}

impl ArnKind {
    /// The kind of the ARN `s` among `kinds`; `None` when `s` is not a well-formed ARN of one
    /// of them.
    pub fn of(s: &str, kinds: &[ArnKind]) -> Option<ArnKind> {
        Arn::parse(s, kinds).ok().map(|a| a.kind)
    }

    /// Whether `s` is a well-formed ARN of this kind.
    pub fn names(self, s: &str) -> bool {
        ArnKind::of(s, &[self]).is_some()
    }

    /// The resource part of the ARN: `room`, `logging-configuration`.
    pub fn as_str(self) -> &'static str {
        self.resource
    }

    /// The kind in words: `room`, `logging configuration`.
    pub fn words(self) -> &'static str {
        self.words
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub kind: ArnKind,
    pub id: String,
}

/// Which part of an ARN breaks the rule (see [`Arn::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArnPart {
    Region,
    Account,
    Id,
    /// The whole ARN is longer than [`MAX_ARN_LENGTH`].
    Length,
}

/// Why a string or parts are not an IVS Chat ARN of the kinds expected.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArnError {
    /// Not an IVS Chat ARN of one of the kinds the parser was given: the input, and the
    /// resource part of the form expected (`room`, or `<room|logging-configuration>`).
    #[error(
        "{input:?} is not an IVS Chat ARN of the form arn:aws:ivschat:<region>:<account id>:{form}/<id>"
    )]
    Malformed { input: String, form: String },
    /// A well-formed ARN of another kind than the one expected.
    #[error("{input:?} is a {found} ARN, not a {expected} ARN")]
    OtherKind {
        input: String,
        found: String,
        expected: &'static str,
    },
    /// Parts that make no ARN (from [`Arn::new`]).
    #[error("{value:?} is not a valid {part:?} of an IVS Chat ARN")]
    Part { part: ArnPart, value: String },
}

impl ArnError {
    fn new(s: &str, kinds: &[ArnKind]) -> ArnError {
        let form = match kinds {
            [kind] => kind.resource.to_owned(),
            _ => {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.resource).collect();
                format!("<{}>", kinds.join("|"))
            }
        };
        ArnError::Malformed {
            input: s.to_owned(),
            form,
        }
    }
}

impl Arn {
    /// The ARN of the object `id` of `kind` in `region` of `account`, in the `aws` partition;
    /// an error names the first part that breaks the rule.
    pub fn new(region: &str, account: &str, kind: ArnKind, id: &str) -> Result<Arn, ArnError> {
        let parts = Parts {
            partition: "aws",
            region,
            account,
            id,
        };
        let arn = Arn {
            partition: parts.partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            kind,
            id: id.to_owned(),
        };
        let text = arn.to_string();
        let Some(part) = parts.bad_part(&text) else {
            return Ok(arn);
        };
        let value = match part {
            ArnPart::Region => region,
            ArnPart::Account => account,
            ArnPart::Id => id,
            ArnPart::Length => &text,
        };
        Err(ArnError::Part {
            part,
            value: value.to_owned(),
        })
    }

    /// Parses an ARN and checks it names the expected kind of object. An ARN that is well
    /// formed but names another kind is refused as such ("is a logging-configuration ARN, not a
    /// room ARN").
    pub fn parse_kind(s: &str, kind: ArnKind) -> Result<Arn, ArnError> {
        let (parts, resource) = Parts::split(s).ok_or_else(|| ArnError::new(s, &[kind]))?;
        if resource != kind.resource {
            return Err(if parts.is_well_formed(s) && is_resource_word(resource) {
                ArnError::OtherKind {
                    input: s.to_owned(),
                    found: resource.to_owned(),
                    expected: kind.as_str(),
                }
            } else {
                ArnError::new(s, &[kind])
            });
        }
        Arn::parse(s, &[kind])
    }

    /// Parses an ARN of any of `kinds` (the callers that accept every kind get the list from
    /// the registry).
    pub fn parse(s: &str, kinds: &[ArnKind]) -> Result<Arn, ArnError> {
        let bad = || ArnError::new(s, kinds);
        let (parts, resource) = Parts::split(s).ok_or_else(bad)?;
        let kind = kinds
            .iter()
            .copied()
            .find(|k| k.resource == resource)
            .ok_or_else(bad)?;
        if !parts.is_well_formed(s) {
            return Err(bad());
        }
        Ok(Arn {
            partition: parts.partition.to_owned(),
            region: parts.region.to_owned(),
            account: parts.account.to_owned(),
            kind,
            id: parts.id.to_owned(),
        })
    }
}

/// `aws`, or `aws-` followed by lowercase words joined by `-` (`aws-cn`, `aws-us-gov`).
fn is_partition(p: &str) -> bool {
    p == "aws"
        || p.strip_prefix("aws-").is_some_and(|rest| {
            rest.split('-')
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
        })
}

/// The rule in words, completing "must …".
pub fn rule(kind: ArnKind) -> String {
    format!(
        "be a {} ARN (arn:aws:ivschat:<region>:<account id>:{}/<id>)",
        kind.words(),
        kind.as_str()
    )
}

/// The schema validator of an attribute that holds an ARN of `kind`.
#[derive(Debug)]
pub struct IsArn(pub ArnKind);

impl Validator for IsArn {
    fn rule(&self) -> String {
        rule(self.0)
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::String(s) = value else { return };
        if let Err(problem) = Arn::parse_kind(s, self.0) {
            let what = if path.is_root() {
                "The value".to_owned()
            } else {
                format!("Attribute {path}")
            };
            diags.push(
                Diagnostic::error(
                    "Invalid Attribute Value",
                    format!("{what} must {}, got {problem}.", self.rule()),
                )
                .at(path.clone()),
            );
        }
    }
}

/// A room's ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomArn(pub Arn);

impl FromStr for RoomArn {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<RoomArn, ArnError> {
        Arn::parse_kind(s, ArnKind::Room).map(RoomArn)
    }
}

/// Parses the id given to `terraform import` for `type_name`, which is imported by its ARN.
pub fn import_id(
    id: &str,
    kind: ArnKind,
    type_name: &str,
) -> Result<Arn, crate::diagnostics::Diagnostics> {
    Arn::parse_kind(id, kind).map_err(|problem| {
        crate::diagnostics::Diagnostic::error(
            "Invalid Import ID",
            format!("Import {type_name} by its ARN: {problem}."),
        )
        .into()
    })
}

/// The parts of an ARN-shaped string, before the kind is looked up.
struct Parts<'a> {
    partition: &'a str,
    region: &'a str,
    account: &'a str,
    id: &'a str,
}

impl<'a> Parts<'a> {
    /// The parts of `arn:<partition>:ivschat:<region>:<account>:<resource>/<id>`, and the
    /// resource part.
    fn split(s: &'a str) -> Option<(Parts<'a>, &'a str)> {
        let mut parts = s.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some("ivschat"),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return None;
        };
        let (kind, id) = resource.split_once('/')?;
        Some((
            Parts {
                partition,
                region,
                account,
                id,
            },
            kind,
        ))
    }

    /// The rule every part but the kind follows, and the length limit of `s`.
    fn is_well_formed(&self, s: &str) -> bool {
        is_partition(self.partition) && self.bad_part(s).is_none()
    }

    /// The first of region, account and id that breaks the rule, or the length limit of `s`.
    fn bad_part(&self, s: &str) -> Option<ArnPart> {
        let region_ok = !self.region.is_empty()
            && self
                .region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let account_ok = self.account.len() == ACCOUNT_DIGITS
            && self.account.chars().all(|c| c.is_ascii_digit());
        let id_ok = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        [
            (region_ok, ArnPart::Region),
            (account_ok, ArnPart::Account),
            (id_ok, ArnPart::Id),
            (s.len() <= MAX_ARN_LENGTH, ArnPart::Length),
        ]
        .into_iter()
        .find_map(|(ok, part)| (!ok).then_some(part))
    }
}

/// The shape of an ARN's resource part: lowercase words joined by `-` (`logging-configuration`).
fn is_resource_word(r: &str) -> bool {
    r.split('-')
        .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:ivschat:{}:{}:{}/{}",
            self.partition,
            self.region,
            self.account,
            self.kind.as_str(),
            self.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds the registry hands the parser.
    const KINDS: &[ArnKind] = &[ArnKind::Room, ArnKind::LoggingConfiguration];

    #[test]
    fn room_and_logging_configuration_arns_round_trip() {
        for s in [
            "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234",
            "arn:aws:ivschat:eu-west-1:123456789012:logging-configuration/ABCDefgh5678",
        ] {
            let arn = Arn::parse(s, KINDS).unwrap();
            assert_eq!(arn.to_string(), s);
        }
        let arn = Arn::parse_kind(
            "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
            ArnKind::Room,
        )
        .unwrap();
        assert_eq!(
            (arn.region.as_str(), arn.id.as_str()),
            ("us-west-2", "abcdEFGH1234")
        );
    }

    #[test]
    fn malformed_arns_are_refused_with_the_expected_form() {
        for s in [
            "",
            "room/abc",
            "arn:aws:ivs:us-east-1:123456789012:channel/abc",
            "arn:aws:ivschat:us-east-1:1234:room/abc",
            "arn:aws:ivschat:us-east-1:123456789012:room/",
            "arn:aws:ivschat:us-east-1:123456789012:stage/abc",
            "arn:aws:ivschat:US-EAST-1:123456789012:room/abc",
        ] {
            let err = Arn::parse(s, KINDS).unwrap_err();
            assert!(
                err.to_string().contains("arn:aws:ivschat:<region>"),
                "{s}: {err}"
            );
        }
        let err = Arn::parse_kind(
            "arn:aws:ivschat:us-east-1:123456789012:room/abc",
            ArnKind::LoggingConfiguration,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not a logging-configuration ARN"), "{err}");
    }

    /// The one ARN rule, against the AWS model's patterns: any AWS partition, a 12-digit
    /// account, ids of letters, digits and hyphens, at most 128 characters.
    #[test]
    fn the_arn_rule_follows_the_model_patterns() {
        for good in [
            "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234",
            "arn:aws-cn:ivschat:cn-north-1:123456789012:logging-configuration/abc-DEF1",
            "arn:aws-us-gov:ivschat:us-gov-west-1:123456789012:room/a-b-c",
        ] {
            assert!(Arn::parse(good, KINDS).is_ok(), "{good}");
        }
        let long_id = "a".repeat(MAX_ARN_LENGTH);
        for bad in [
            "arn:azure:ivschat:us-east-1:123456789012:room/abc",
            "arn:aws-:ivschat:us-east-1:123456789012:room/abc",
            "arn:AWS:ivschat:us-east-1:123456789012:room/abc",
            "arn:aws:ivschat:us-east-1:12345678901:room/abc",
            "arn:aws:ivschat:us-east-1:1234567890123:room/abc",
            "arn:aws:ivschat:us-east-1:12345678901a:room/abc",
            "arn:aws:ivschat:us-east-1:123456789012:room/a_b",
            "arn:aws:ivschat:us-east-1:123456789012:room/a/b",
            "arn:aws:ivschat::123456789012:room/abc",
            &format!("arn:aws:ivschat:us-east-1:123456789012:room/{long_id}"),
        ] {
            assert!(Arn::parse(bad, KINDS).is_err(), "{bad}");
        }
        // Schemas check the same rule, and name the kind expected.
        let mut diags = Diagnostics::new();
        let path = Path::attr("room_identifier");
        IsArn(ArnKind::Room).validate(
            &Value::string("arn:aws-cn:ivschat:cn-north-1:123456789012:room/abc-1"),
            &path,
            &mut diags,
        );
        assert!(!diags.has_errors());
        IsArn(ArnKind::Room).validate(
            &Value::string("arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abc"),
            &path,
            &mut diags,
        );
        let text = format!("{diags:?}");
        assert!(text.contains("must be a room ARN"), "{text}");
        assert!(text.contains("not a room ARN"), "{text}");
        assert_eq!(
            "arn:aws:ivschat:us-east-1:123456789012:room/abc"
                .parse::<RoomArn>()
                .map(|a| a.0.id),
            Ok("abc".to_owned())
        );
        assert!(
            Arn::parse_kind(
                "arn:aws:ivschat:us-east-1:123456789012:room/abc",
                ArnKind::LoggingConfiguration
            )
            .is_err()
        );
    }

    /// The constructor follows the parser's rule and names the part that breaks it.
    #[test]
    fn the_constructor_checks_each_part() {
        let arn = Arn::new("us-east-1", "123456789012", ArnKind::Room, "abcdEFGH1234").unwrap();
        assert_eq!(
            Arn::parse_kind(&arn.to_string(), ArnKind::Room),
            Ok(arn.clone())
        );
        let part = |r, a, i| match Arn::new(r, a, ArnKind::Room, i) {
            Err(ArnError::Part { part, .. }) => Some(part),
            _ => None,
        };
        assert_eq!(
            part("US EAST", "123456789012", "abc"),
            Some(ArnPart::Region)
        );
        assert_eq!(part("us-east-1", "12345", "abc"), Some(ArnPart::Account));
        assert_eq!(part("us-east-1", "123456789012", "a_b"), Some(ArnPart::Id));
        let long_id = "a".repeat(MAX_ARN_LENGTH);
        assert_eq!(
            part("us-east-1", "123456789012", &long_id),
            Some(ArnPart::Length)
        );
        assert!(ArnKind::Room.names(&arn.to_string()));
        assert!(!ArnKind::LoggingConfiguration.names(&arn.to_string()));
        assert_eq!(ArnKind::of(&arn.to_string(), KINDS), Some(ArnKind::Room));
    }

    /// The parser knows only the kinds it is given; an ARN of another kind, where one kind is
    /// expected, is named as such, and one that is malformed shows the expected form.
    #[test]
    fn a_kind_outside_the_given_ones_is_refused() {
        let stage = "arn:aws:ivschat:us-east-1:123456789012:stage/abc";
        assert!(Arn::parse(stage, KINDS).is_err());
        assert!(Arn::parse(stage, &[ArnKind::Room]).is_err());
        let err = Arn::parse_kind(stage, ArnKind::Room)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a stage ARN, not a room ARN"), "{err}");
        let err = Arn::parse_kind("arn:aws:ivschat:us-east-1:1:room/abc", ArnKind::Room)
            .unwrap_err()
            .to_string();
        assert!(err.contains(":<account id>:room/<id>"), "{err}");
        let err = Arn::parse("room/abc", KINDS).unwrap_err().to_string();
        assert!(err.contains(":<room|logging-configuration>/<id>"), "{err}");
    }
}
