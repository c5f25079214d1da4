# Every room of the provider's region, newest update first.
data "ivschat_rooms" "all" {}

# Rooms an application created at runtime, found by tags (checked on the listing, no extra calls).
data "ivschat_rooms" "match_rooms" {
  tags = {
    app  = "game"
    kind = "match"
  }
}

# Filters combine: by name, review handler and logging configuration (passed to ListRooms) and tags.
data "ivschat_rooms" "lobby" {
  name                             = "lobby"
  logging_configuration_identifier = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/ABCabc123456"
  tags                             = { env = "prod" }
}

output "match_room_arns" {
  value = data.ivschat_rooms.match_rooms.arns
}

output "match_rooms_by_name" {
  value = { for r in data.ivschat_rooms.match_rooms.rooms : r.name => r.arn... }
}
