# Plan review: a configuration that passes the policies in policies/ (checkov custom
# policies run on `terraform show -json` of its plan). noncompliant/ breaks each of them.
# README.md, "Reviewing plans", has the commands; tests/e2e_review.rs runs them.

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

  # Required tags may come from default_tags: the policies read tags_all.
  default_tags {
    tags = {
      owner = "chat-team"
    }
  }
}

resource "ivschat_logging_configuration" "audit" {
  name = "review-audit"

  destination_configuration {
    cloudwatch_logs {
      log_group_name = "ivschat/review-audit"
    }
  }

  tags = {
    environment = "prod"
  }
}

# Public: anyone may post, so every message goes through a review handler first.
resource "ivschat_room" "town_square" {
  name                              = "review-town-square"
  maximum_message_rate_per_second   = 5
  logging_configuration_identifiers = [ivschat_logging_configuration.audit.arn]

  message_review_handler {
    uri             = "arn:aws:lambda:us-east-1:123456789012:function:chat-review"
    fallback_result = "DENY"
  }

  tags = {
    environment = "prod"
    visibility  = "public"
  }
}

resource "ivschat_room" "staff" {
  name                              = "review-staff"
  maximum_message_rate_per_second   = 10
  logging_configuration_identifiers = [ivschat_logging_configuration.audit.arn]

  tags = {
    environment = "prod"
    visibility  = "internal"
  }
}
