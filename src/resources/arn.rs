//! IVS Chat ARNs, parsed at the edge: `arn:aws:ivschat:<region>:<account>:<kind>/<id>`.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Room,
    LoggingConfiguration,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Room => "room",
            Kind::LoggingConfiguration => "logging-configuration",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub kind: Kind,
    pub id: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "{0:?} is not an IVS Chat ARN of the form arn:aws:ivschat:<region>:<account id>:<room|logging-configuration>/<id>"
)]
pub struct ArnError(pub String);

impl Arn {
    pub fn new(region: &str, account: &str, kind: Kind, id: &str) -> Arn {
        Arn {
            partition: "aws".to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            kind,
            id: id.to_owned(),
        }
    }

    /// Parses an ARN and checks it names the expected kind of object.
    pub fn parse_kind(s: &str, kind: Kind) -> Result<Arn, String> {
        let arn: Arn = s.parse().map_err(|e: ArnError| e.to_string())?;
        if arn.kind != kind {
            return Err(format!(
                "{s:?} is a {} ARN, not a {} ARN",
                arn.kind.as_str(),
                kind.as_str()
            ));
        }
        Ok(arn)
    }
}

/// Parses the id given to `terraform import` for `type_name`, which is imported by its ARN.
pub fn import_id(
    id: &str,
    kind: Kind,
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

impl FromStr for Arn {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Arn, ArnError> {
        let bad = || ArnError(s.to_owned());
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
            return Err(bad());
        };
        let (kind, id) = resource.split_once('/').ok_or_else(bad)?;
        let kind = match kind {
            "room" => Kind::Room,
            "logging-configuration" => Kind::LoggingConfiguration,
            _ => return Err(bad()),
        };
        let region_ok = !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
        let id_ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if partition.is_empty() || !region_ok || !account_ok || !id_ok || s.len() > 128 {
            return Err(bad());
        }
        Ok(Arn {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            kind,
            id: id.to_owned(),
        })
    }
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

    #[test]
    fn room_and_logging_configuration_arns_round_trip() {
        for s in [
            "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234",
            "arn:aws:ivschat:eu-west-1:123456789012:logging-configuration/ABCDefgh5678",
        ] {
            let arn: Arn = s.parse().unwrap();
            assert_eq!(arn.to_string(), s);
        }
        let arn = Arn::parse_kind(
            "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
            Kind::Room,
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
            let err = s.parse::<Arn>().unwrap_err();
            assert!(
                err.to_string().contains("arn:aws:ivschat:<region>"),
                "{s}: {err}"
            );
        }
        let err = Arn::parse_kind(
            "arn:aws:ivschat:us-east-1:123456789012:room/abc",
            Kind::LoggingConfiguration,
        )
        .unwrap_err();
        assert!(err.contains("not a logging-configuration ARN"), "{err}");
    }
}
