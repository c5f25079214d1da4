//! Name and Lambda ARN rules shared by every type that takes them (from the AWS model's
//! `RoomName`, `LoggingConfigurationName` and `LambdaArn` shapes).

/// Room and logging configuration names (the model's `RoomName` and `LoggingConfigurationName`).
pub const NAME_PATTERN: &str = "[a-zA-Z0-9-_]*";
pub const NAME_RULE: &str = "contain only letters, digits, hyphens and underscores";

/// A message review handler: a Lambda function ARN, or empty (the model's `LambdaArn`).
pub const LAMBDA_ARN_PATTERN: &str = "|arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+";
pub const LAMBDA_ARN_RULE: &str = "be empty or a Lambda function ARN (arn:aws:lambda:<region>:<12-digit account>:function:<name>)";
/// The same rule where only a function ARN makes sense (filters).
pub const LAMBDA_ARN_FILTER_RULE: &str =
    "be a Lambda function ARN (arn:aws:lambda:<region>:<12-digit account>:function:<name>)";
