terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
  # Partial configuration: `terraform init -backend-config=bucket=... -backend-config=key=...`.
  # Remote state is what lets a later job (or a person) change or destroy what this root created.
  backend "s3" {}
}

provider "aws" {
  region = var.region
  default_tags {
    tags = merge(var.extra_tags, {
      "wms-project" = var.project
    })
  }
}
