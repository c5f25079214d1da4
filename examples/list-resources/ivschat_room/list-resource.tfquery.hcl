# In a .tfquery.hcl file, run with `terraform query` (Terraform 1.14 or later).
# Every room of the provider's region:
list "ivschat_room" "all" {
  provider = ivschat
}

# Rooms tagged team = "chat", with their full attributes:
list "ivschat_room" "chat" {
  provider         = ivschat
  include_resource = true

  config {
    tags = { team = "chat" }
  }
}
