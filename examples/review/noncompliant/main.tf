# The same kind of configuration as ../main.tf, breaking each policy in ../policies/ once;
# tests/e2e_review.rs asserts exactly these findings.

terraform {
  required_version = ">= 1.0"

  required_providers {
    ivschat = {
      source = "registry.terraform.io/ivschat/ivschat"
    }
  }
}

provider "ivschat" {
  # Credentials and endpoint come from the environment (AWS_ENDPOINT_URL_IVSCHAT for
  # ivschat-local), so the plan JSON names no machine-specific address.
  region = "us-east-1"
}

resource "ivschat_logging_configuration" "audit" {
  name = "review-audit"

  destination_configuration {
    cloudwatch_logs {
      log_group_name = "ivschat/review-audit"
    }
  }

  tags = {
    owner       = "chat-team"
    environment = "prod"
  }
}

# Public without a message review handler (CKV_IVSCHAT_2).
resource "ivschat_room" "town_square" {
  name                              = "review-town-square"
  maximum_message_rate_per_second   = 5
  logging_configuration_identifiers = [ivschat_logging_configuration.audit.arn]

  tags = {
    owner       = "chat-team"
    environment = "prod"
    visibility  = "public"
  }
}

# Records nowhere (CKV_IVSCHAT_1) and lacks the owner tag (CKV_IVSCHAT_3).
resource "ivschat_room" "staff" {
  name                            = "review-staff"
  maximum_message_rate_per_second = 10

  tags = {
    environment = "prod"
    visibility  = "internal"
  }
}

# Above the rate limit (CKV_IVSCHAT_4); the rest is in order.
resource "ivschat_room" "firehose" {
  name                              = "review-firehose"
  maximum_message_rate_per_second   = 50
  logging_configuration_identifiers = [ivschat_logging_configuration.audit.arn]

  tags = {
    owner       = "chat-team"
    environment = "prod"
    visibility  = "internal"
  }
}
