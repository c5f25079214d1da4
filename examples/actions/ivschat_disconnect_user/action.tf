variable "user_to_disconnect" {
  type      = string
  sensitive = true
}

# Disconnect every connection of a user from the room (Terraform 1.14 or later):
#   terraform apply -invoke=action.ivschat_disconnect_user.moderate -var user_to_disconnect=...
action "ivschat_disconnect_user" "moderate" {
  config {
    room_identifier = ivschat_room.lobby.arn
    user_id         = var.user_to_disconnect
    reason          = "violated the community rules"
  }
}
