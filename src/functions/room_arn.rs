//! `provider::ivschat::room_arn(region, account_id, id)`: a room's ARN from its parts.

use crate::domain::arn::{ACCOUNT_DIGITS, Arn, ArnError, ArnKind, ArnPart};
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{TypeKind, TypeNeeds, mode};
use crate::provider::config::is_region_format;
use crate::server::{Function, FunctionError, Parameter};
use crate::value::{Type, Value};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Function,
    name: "room_arn",
    modes: &[mode("call", &[])],
};

pub struct RoomArnFunction;

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for RoomArnFunction {
    const DECLARED: Declared = Declared {
        operations: &[],
        iam: IAM,
        kinds: &[],
    };
}

/// Length of an IVS Chat room id.
pub const ROOM_ID_LENGTH: usize = 12;

impl Function for RoomArnFunction {
    fn name(&self) -> &'static str {
        "room_arn"
    }

    fn summary(&self) -> &'static str {
        "Builds the ARN of an IVS Chat room from its region, account and id."
    }

    fn description(&self) -> &'static str {
        "Returns `arn:aws:ivschat:<region>:<account_id>:room/<id>`, the ARN of the room `id` in \
         `region` of account `account_id`, for example to name a room created elsewhere without \
         reading it. Each argument is checked: `region` must be a region name such as \
         `us-east-1`, `account_id` exactly 12 digits, `id` exactly 12 letters and digits; an \
         error points at the argument at fault."
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![
            Parameter::new(
                "region",
                Type::String,
                "The room's AWS region, for example `us-east-1`.",
            ),
            Parameter::new(
                "account_id",
                Type::String,
                "The 12-digit ID of the AWS account that owns the room.",
            ),
            Parameter::new("id", Type::String, "The room's ID: 12 letters and digits."),
        ]
    }

    fn return_type(&self) -> Type {
        Type::String
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let arg = |i: usize| {
            args.get(i)
                .and_then(Value::as_str)
                .ok_or_else(|| FunctionError::argument(i, "Must be a string."))
        };
        let (region, account, id) = (arg(0)?, arg(1)?, arg(2)?);
        if !is_region_format(region) {
            return Err(FunctionError::argument(
                0,
                format!("The region must be an AWS region name such as us-east-1, got {region:?}."),
            ));
        }
        let bad_id = || {
            FunctionError::argument(
                2,
                format!(
                    "The room ID must be exactly {ROOM_ID_LENGTH} letters and digits, got {id:?}."
                ),
            )
        };
        // The ARN rule checks the region's characters, the account and the id; a room id is
        // stricter still (exactly 12 letters and digits).
        let arn = Arn::new(region, account, ArnKind::Room, id).map_err(|e| match e {
            ArnError::Part {
                part: ArnPart::Account,
                ..
            } => FunctionError::argument(
                1,
                format!("The account ID must be exactly {ACCOUNT_DIGITS} digits, got {account:?}."),
            ),
            ArnError::Part {
                part: ArnPart::Region,
                ..
            } => FunctionError::argument(
                0,
                format!("The region must be an AWS region name such as us-east-1, got {region:?}."),
            ),
            _ => bad_id(),
        })?;
        if id.chars().count() != ROOM_ID_LENGTH || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad_id());
        }
        Ok(Value::String(arn.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(r: &str, a: &str, i: &str) -> Result<Value, FunctionError> {
        RoomArnFunction.call(&[Value::string(r), Value::string(a), Value::string(i)])
    }

    #[test]
    fn builds_an_arn_that_parses_back() {
        let v = call("eu-west-1", "123456789012", "abcdEFGH1234").unwrap();
        let s = v.as_str().unwrap();
        assert_eq!(
            s,
            "arn:aws:ivschat:eu-west-1:123456789012:room/abcdEFGH1234"
        );
        assert_eq!(
            Arn::parse_kind(s, ArnKind::Room).unwrap().id,
            "abcdEFGH1234"
        );
    }

    #[test]
    fn each_bad_argument_is_blamed() {
        assert_eq!(
            call("EU WEST", "123456789012", "abcdEFGH1234")
                .unwrap_err()
                .argument,
            Some(0)
        );
        assert_eq!(
            call("eu-west-1", "12345", "abcdEFGH1234")
                .unwrap_err()
                .argument,
            Some(1)
        );
        assert_eq!(
            call("eu-west-1", "123456789012", "abc")
                .unwrap_err()
                .argument,
            Some(2)
        );
        assert_eq!(
            call("eu-west-1", "123456789012", "abcdEFGH123!")
                .unwrap_err()
                .argument,
            Some(2)
        );
    }
}
