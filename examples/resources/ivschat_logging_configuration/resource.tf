resource "ivschat_logging_configuration" "archive" {
  name = "archive"

  destination_configuration {
    s3 {
      bucket_name = "chat-archive-bucket"
    }
  }

  tags = {
    env = "dev"
  }
}
