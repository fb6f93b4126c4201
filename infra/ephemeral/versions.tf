terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
  # Partial configuration (start-infra/stop-infra input terraform-backend-config): the destroy in
  # stop-infra, often another job, must find the state the apply in start-infra wrote.
  backend "s3" {}
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      "wms-project" = var.project
      "wms-run"     = var.run_id
    }
  }
}
