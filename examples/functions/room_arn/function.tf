# Requires Terraform 1.8 or later.
output "lobby_arn" {
  # "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234"
  value = provider::ivschat::room_arn("us-west-2", "123456789012", "abcdEFGH1234")
}
