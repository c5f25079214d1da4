data "ivschat_room" "lobby" {
  arn = "arn:aws:ivschat:us-east-1:123456789012:room/ABCabc123456"
}

output "lobby_limits" {
  value = {
    maximum_message_length          = data.ivschat_room.lobby.maximum_message_length
    maximum_message_rate_per_second = data.ivschat_room.lobby.maximum_message_rate_per_second
    review_handler                  = one(data.ivschat_room.lobby.message_review_handler[*].uri)
  }
}
