data "ivschat_logging_configuration" "audit" {
  arn = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/ABCabc123456"
}

output "audit_bucket" {
  value = one(data.ivschat_logging_configuration.audit.destination_configuration[0].s3[*].bucket_name)
}
