# Requires Terraform 1.8 or later.
resource "ivschat_room" "example" {}

locals {
  room = provider::ivschat::parse_arn(ivschat_room.example.arn)
}

output "room_region" {
  value = local.room.region # "us-east-1"
}

output "room_account" {
  value = local.room.account_id # "123456789012"
}
