# In a .tfquery.hcl file, run with `terraform query` (Terraform 1.14 or later).
list "ivschat_logging_configuration" "audit" {
  provider = ivschat

  config {
    name = "audit"
  }
}
