data "ivschat_logging_configurations" "all" {}

# The logging configurations that are ready to use.
output "active_logging_configuration_arns" {
  value = [for c in data.ivschat_logging_configurations.all.logging_configurations : c.arn if c.state == "ACTIVE"]
}
