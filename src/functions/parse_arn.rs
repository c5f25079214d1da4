//! `provider::ivschat::parse_arn(arn)`: the parts of an IVS Chat ARN, as an object.

use std::collections::BTreeMap;

use crate::domain::arn::{Arn, ArnKind};
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{TypeKind, TypeNeeds, mode};
use crate::server::{Function, FunctionError, Parameter};
use crate::value::{Type, Value};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Function,
    name: "parse_arn",
    modes: &[mode("call", &[])],
};

/// The function; it splits ARNs of the kinds its argument returns (the registry's kinds, every
/// kind a registered type declares).
pub struct ParseArn(pub fn() -> &'static [ArnKind]);

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for ParseArn {
    const DECLARED: Declared = Declared {
        operations: &[],
        iam: IAM,
        kinds: &[],
    };
}

const FIELDS: [&str; 5] = ["partition", "region", "account_id", "resource_type", "id"];

impl Function for ParseArn {
    fn name(&self) -> &'static str {
        "parse_arn"
    }

    fn summary(&self) -> &'static str {
        "Splits an IVS Chat ARN into its parts."
    }

    fn description(&self) -> &'static str {
        "Splits the ARN of an IVS Chat room or logging configuration, \
         `arn:<partition>:ivschat:<region>:<account id>:<resource type>/<id>`, into an object \
         with the attributes `partition` (for example `aws`), `region` (for example \
         `us-east-1`), `account_id` (12 digits), `resource_type` (`room` or \
         `logging-configuration`) and `id`. Fails, pointing at the argument, when the string is \
         not such an ARN."
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::new(
            "arn",
            Type::String,
            "The ARN of an IVS Chat room or logging configuration.",
        )]
    }

    fn return_type(&self) -> Type {
        Type::object(FIELDS.map(|f| (f, Type::String)))
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let Some(s) = args.first().and_then(Value::as_str) else {
            return Err(FunctionError::argument(0, "The ARN must be a string."));
        };
        let arn =
            Arn::parse(s, (self.0)()).map_err(|e| FunctionError::argument(0, format!("{e}.")))?;
        let values = [
            arn.partition,
            arn.region,
            arn.account,
            arn.kind.as_str().to_owned(),
            arn.id,
        ];
        Ok(Value::Object(
            FIELDS
                .iter()
                .zip(values)
                .map(|(k, v)| ((*k).to_owned(), Value::String(v)))
                .collect::<BTreeMap<_, _>>(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The function, with the kinds the registry gives it.
    fn parse_arn() -> ParseArn {
        ParseArn(|| &[ArnKind::Room, ArnKind::LoggingConfiguration])
    }

    #[test]
    fn a_room_arn_is_split() {
        let v = parse_arn()
            .call(&[Value::string(
                "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
            )])
            .unwrap();
        let get = |k: &str| v.attr(k).and_then(Value::as_str).unwrap().to_owned();
        assert_eq!(get("partition"), "aws");
        assert_eq!(get("region"), "us-west-2");
        assert_eq!(get("account_id"), "123456789012");
        assert_eq!(get("resource_type"), "room");
        assert_eq!(get("id"), "abcdEFGH1234");
        assert_eq!(
            crate::value_serde::conform(v.clone(), &parse_arn().return_type()).unwrap(),
            v
        );
    }

    #[test]
    fn a_malformed_arn_blames_argument_0() {
        let e = parse_arn().call(&[Value::string("room/abc")]).unwrap_err();
        assert_eq!(e.argument, Some(0));
        assert!(e.text.contains("arn:aws:ivschat:<region>"), "{e}");
    }
}
