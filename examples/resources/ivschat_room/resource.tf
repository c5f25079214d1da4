resource "ivschat_logging_configuration" "audit" {
  name = "audit"

  destination_configuration {
    cloudwatch_logs {
      log_group_name = "ivschat/audit"
    }
  }
}

resource "ivschat_room" "lobby" {
  name                            = "lobby"
  maximum_message_length          = 200
  maximum_message_rate_per_second = 20
  logging_configuration_identifiers = [
    ivschat_logging_configuration.audit.arn,
  ]

  tags = {
    env = "dev"
  }
}
