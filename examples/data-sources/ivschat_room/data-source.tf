resource "ivschat_room" "lobby" {
  name                   = "lobby"
  maximum_message_length = 200
}

# Read a room by ARN, for example one created by an application at runtime.
data "ivschat_room" "lobby" {
  arn = ivschat_room.lobby.arn
}

output "lobby_limits" {
  value = {
    maximum_message_length          = data.ivschat_room.lobby.maximum_message_length
    maximum_message_rate_per_second = data.ivschat_room.lobby.maximum_message_rate_per_second
    review_handler                  = one(data.ivschat_room.lobby.message_review_handler[*].uri)
  }
}
