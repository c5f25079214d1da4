# Requires Terraform 1.10 or later. The token is never written to a plan or state file.
resource "ivschat_room" "support" {
  name = "support"
}

ephemeral "ivschat_chat_token" "agent" {
  room_identifier             = ivschat_room.support.arn
  user_id                     = "agent-1"
  capabilities                = ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"]
  session_duration_in_minutes = 120
  attributes = {
    display_name = "Support agent"
  }
}

# Pass the token only to places that accept ephemeral values, for example a provisioner:
resource "terraform_data" "announce" {
  provisioner "local-exec" {
    command = "./send-welcome.sh"
    environment = {
      CHAT_TOKEN = ephemeral.ivschat_chat_token.agent.token
    }
  }
}
