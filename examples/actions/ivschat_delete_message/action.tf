# Remove a message from every client's view of the room (Terraform 1.14 or later):
#   terraform apply -invoke=action.ivschat_delete_message.spam
action "ivschat_delete_message" "spam" {
  config {
    room_identifier = ivschat_room.lobby.arn
    id              = "AbCdEf123456" # the Id a client received with the message
    reason          = "spam"
  }
}
