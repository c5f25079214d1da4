terraform {
  required_providers {
    ivschat = {
      source = "registry.terraform.io/ivschat/ivschat"
    }
  }
}

# Credentials come from the usual AWS chain (environment, shared files, SSO, roles).
# To try the provider offline, run ivschat-local and set
# AWS_ENDPOINT_URL_IVSCHAT=http://127.0.0.1:4510 (or use the endpoints block below).
provider "ivschat" {
  region = "us-east-1"

  default_tags {
    tags = {
      team = "chat"
    }
  }
}
