# A logging configuration is imported by its ARN.
terraform import ivschat_logging_configuration.archive arn:aws:ivschat:us-east-1:123456789012:logging-configuration/aBcD1234EfGh
