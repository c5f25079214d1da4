//! The provider-defined function contract (Terraform ≥ 1.8): `provider::<name>::<function>(…)`.
//!
//! Functions are pure: they see only their arguments, never the provider's configuration, and
//! Terraform may call them before the provider is configured (even during validation).

use std::fmt;

use crate::value::{Type, Value};

/// One positional parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// Whether null may be passed; otherwise Terraform refuses a null argument before calling.
    pub allow_null: bool,
}

impl Parameter {
    /// A parameter refusing null.
    pub fn new(name: &str, ty: Type, description: impl Into<String>) -> Parameter {
        Parameter {
            name: name.to_owned(),
            ty,
            description: description.into(),
            allow_null: false,
        }
    }

    #[must_use]
    pub fn allow_null(mut self) -> Parameter {
        self.allow_null = true;
        self
    }
}

/// Why a call failed, shown by Terraform at the call site (at `argument`, zero-based, when set).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<i64>,
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.argument {
            Some(i) => write!(f, "argument {i}: {}", self.text),
            None => f.write_str(&self.text),
        }
    }
}

impl FunctionError {
    /// A failure not tied to one argument.
    pub fn new(text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }

    /// A failure caused by argument `index` (zero-based).
    pub fn argument(index: usize, text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: Some(i64::try_from(index).unwrap_or(i64::MAX)),
        }
    }
}

pub trait Function: Send + Sync + 'static {
    /// The name after `provider::<provider>::`, e.g. `parse_arn`.
    fn name(&self) -> &'static str;

    /// One line: what the function returns.
    fn summary(&self) -> &'static str;

    /// Markdown: the arguments' forms, the result, and the errors.
    fn description(&self) -> &'static str;

    fn parameters(&self) -> Vec<Parameter>;

    fn return_type(&self) -> Type;

    /// Computes the result from known arguments, one per parameter, each of its parameter's type
    /// (null only where the parameter allows it).
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}

/// A function as registered: the definition is built once.
pub struct RegisteredFunction {
    pub imp: Box<dyn Function>,
    pub parameters: Vec<Parameter>,
    pub return_type: Type,
}

impl RegisteredFunction {
    pub fn new(imp: Box<dyn Function>) -> RegisteredFunction {
        RegisteredFunction {
            parameters: imp.parameters(),
            return_type: imp.return_type(),
            imp,
        }
    }

    /// Checks the arguments' count and nullness, then calls the function.
    pub fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        if args.len() != self.parameters.len() {
            return Err(FunctionError::new(format!(
                "{} takes {} argument(s), got {}.",
                self.imp.name(),
                self.parameters.len(),
                args.len()
            )));
        }
        for (i, (p, a)) in self.parameters.iter().zip(args).enumerate() {
            if a.is_null() && !p.allow_null {
                return Err(FunctionError::argument(
                    i,
                    format!("{} must not be null.", p.name),
                ));
            }
            if !a.is_wholly_known() {
                return Err(FunctionError::argument(
                    i,
                    format!("{} is not known yet.", p.name),
                ));
            }
        }
        self.imp.call(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    impl Function for Echo {
        fn name(&self) -> &'static str {
            "echo"
        }
        fn summary(&self) -> &'static str {
            "Returns its argument."
        }
        fn description(&self) -> &'static str {
            "Returns its argument."
        }
        fn parameters(&self) -> Vec<Parameter> {
            vec![Parameter::new("s", Type::String, "Any string.")]
        }
        fn return_type(&self) -> Type {
            Type::String
        }
        fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
            Ok(args[0].clone())
        }
    }

    #[test]
    fn arity_and_null_are_checked_before_the_call() {
        let f = RegisteredFunction::new(Box::new(Echo));
        assert_eq!(f.call(&[Value::string("a")]), Ok(Value::string("a")));
        assert_eq!(f.call(&[]).unwrap_err().argument, None);
        assert_eq!(f.call(&[Value::Null]).unwrap_err().argument, Some(0));
        assert_eq!(f.call(&[Value::unknown()]).unwrap_err().argument, Some(0));
    }
}
