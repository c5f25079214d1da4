resource "ivschat_logging_configuration" "audit" {
  name = "audit"
  destination_configuration {
    s3 {
      bucket_name = "chat-audit-logs"
    }
  }
}

# Read a logging configuration by ARN, for example one managed in another workspace.
data "ivschat_logging_configuration" "audit" {
  arn = ivschat_logging_configuration.audit.arn
}

output "audit_bucket" {
  value = one(data.ivschat_logging_configuration.audit.destination_configuration[0].s3[*].bucket_name)
}
