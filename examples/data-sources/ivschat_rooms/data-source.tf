resource "ivschat_logging_configuration" "audit" {
  destination_configuration {
    cloudwatch_logs {
      log_group_name = "chat-audit"
    }
  }
}

resource "ivschat_room" "match" {
  name = "match-1"
  tags = { app = "game", kind = "match" }
}

# Every room of the provider's region, newest update first.
data "ivschat_rooms" "all" {
  depends_on = [ivschat_room.match]
}

# Rooms an application created at runtime, found by tags (checked on the listing, no extra calls).
data "ivschat_rooms" "match_rooms" {
  # Read after the room above exists (it is found by its tags, not referenced).
  depends_on = [ivschat_room.match]

  tags = {
    app  = "game"
    kind = "match"
  }
}

# Filters combine: by name, review handler and logging configuration (passed to ListRooms) and tags.
data "ivschat_rooms" "lobby" {
  name                             = "lobby"
  logging_configuration_identifier = ivschat_logging_configuration.audit.arn
  tags                             = { env = "prod" }
}

output "match_room_arns" {
  value = data.ivschat_rooms.match_rooms.arns
}

output "match_rooms_by_name" {
  value = { for r in data.ivschat_rooms.match_rooms.rooms : r.name => r.arn... }
}
