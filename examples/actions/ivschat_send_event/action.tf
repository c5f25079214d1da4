# Tell connected clients to reload whenever the room's settings change
# (Terraform 1.14 or later). Invoke it by hand with:
#   terraform apply -invoke=action.ivschat_send_event.reload
action "ivschat_send_event" "reload" {
  config {
    room_identifier = ivschat_room.lobby.arn
    event_name      = "reload"
    attributes      = { why = "room settings changed" }
  }
}

resource "ivschat_room" "lobby" {
  name                   = "lobby"
  maximum_message_length = 200

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.ivschat_send_event.reload]
    }
  }
}
