# Quickstart: a logging configuration, two chat rooms that use it, and a data source that
# reads the rooms back. `make quickstart` (scripts/quickstart.sh) applies it against
# ivschat-local, the IVS Chat emulator in this repository: no AWS account needed.
#
# By hand: start `ivschat-local` (it prints http://127.0.0.1:4510), then
# `terraform init && terraform apply` here.

terraform {
  required_version = ">= 1.0"

  required_providers {
    ivschat = {
      source = "registry.terraform.io/ivschat/ivschat"
    }
  }
}

variable "ivschat_endpoint" {
  description = "The IVS Chat API endpoint: the URL ivschat-local prints on its first line."
  type        = string
  default     = "http://127.0.0.1:4510"
}

provider "ivschat" {
  region = "us-east-1"

  # ivschat-local accepts any credentials. Against AWS, drop these two lines and the
  # endpoints block: credentials then come from the usual AWS chain.
  access_key = "test"
  secret_key = "test"

  endpoints {
    ivschat = var.ivschat_endpoint
  }

  default_tags {
    tags = {
      app = "quickstart"
    }
  }
}

# Chat messages and events of the rooms below are archived to S3.
resource "ivschat_logging_configuration" "archive" {
  name = "quickstart-archive"

  destination_configuration {
    s3 {
      bucket_name = "quickstart-chat-archive"
    }
  }
}

resource "ivschat_room" "lobby" {
  name                              = "quickstart-lobby"
  maximum_message_length            = 200
  logging_configuration_identifiers = [ivschat_logging_configuration.archive.arn]

  tags = {
    kind = "lobby"
  }
}

resource "ivschat_room" "support" {
  name                              = "quickstart-support"
  maximum_message_rate_per_second   = 5
  logging_configuration_identifiers = [ivschat_logging_configuration.archive.arn]

  tags = {
    kind = "support"
  }
}

# Reads back, from the API, every room that logs to the archive configuration.
data "ivschat_rooms" "archived" {
  logging_configuration_identifier = ivschat_logging_configuration.archive.arn
  tags = {
    app = "quickstart"
  }

  # Read after both rooms exist.
  depends_on = [ivschat_room.lobby, ivschat_room.support]
}

output "logging_configuration_arn" {
  value = ivschat_logging_configuration.archive.arn
}

output "room_arns" {
  value = {
    lobby   = ivschat_room.lobby.arn
    support = ivschat_room.support.arn
  }
}

output "rooms_read_back" {
  description = "The rooms the ivschat_rooms data source found: name => ARN."
  value       = { for r in data.ivschat_rooms.archived.rooms : r.name => r.arn }
}
