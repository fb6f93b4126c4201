variable "region" {
  description = "AWS region for every resource, e.g. eu-central-1."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "project" {
  description = "Short name used in resource names and the wms-project tag (lowercase letters, digits, hyphens)."
  type        = string
  default     = "wms"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "extra_tags" {
  description = "Tags added to every resource (cost allocation, owner)."
  type        = map(string)
  default     = {}
}

variable "bucket_name" {
  description = "Name of the S3 bucket for training data versions and MLflow artifacts (globally unique)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
}

variable "subnet_id" {
  description = "Subnet of the MLflow host (a public subnet for GitHub-hosted runners, a private one for self-hosted runners in the VPC). The data volume is created in its availability zone."
  type        = string
  validation {
    condition     = can(regex("^subnet-[0-9a-f]{8,17}$", var.subnet_id))
    error_message = "subnet_id must look like subnet-0123456789abcdef0."
  }
}

variable "allowed_cidrs" {
  description = "CIDR blocks allowed to reach MLflow (port 80, basic auth). Never the whole internet."
  type        = list(string)
  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0" && c != "::/0"])
    error_message = "allowed_cidrs must be a non-empty list of valid CIDR blocks, and 0.0.0.0/0 or ::/0 are refused."
  }
}

variable "create_host" {
  description = "Create the long-lived MLflow host that start-infra's ec2 mode starts and stops. False when only the terraform mode (infra/ephemeral) creates hosts."
  type        = bool
  default     = true
}

variable "instance_type" {
  description = "EC2 instance type of the MLflow host."
  type        = string
  default     = "t3.small"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t3.small."
  }
}

variable "architecture" {
  description = "CPU architecture of the instance type: x86_64 or arm64 (for t4g/m7g)."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "data_volume_size_gb" {
  description = "Size of the EBS volume holding MLflow's backend store (survives stop, start and host replacement)."
  type        = number
  default     = 10
  validation {
    condition     = var.data_volume_size_gb >= 1 && var.data_volume_size_gb <= 1000
    error_message = "data_volume_size_gb must be between 1 and 1000."
  }
}

variable "idle_stop_minutes" {
  description = "The host shuts itself down (and so stops) after this many minutes without a request to MLflow. 0 disables the idle stop."
  type        = number
  default     = 60
  validation {
    condition     = var.idle_stop_minutes == 0 || (var.idle_stop_minutes >= 10 && var.idle_stop_minutes <= 1440)
    error_message = "idle_stop_minutes must be 0 (off) or between 10 and 1440."
  }
}

variable "host_tag_key" {
  description = "Tag key that marks the pipeline's MLflow host; start-infra/stop-infra and the reaper only touch instances with it."
  type        = string
  default     = "wms-pipeline"
}

variable "host_tag_value" {
  description = "Value of host_tag_key on the MLflow host."
  type        = string
  default     = "mlflow"
}

variable "mlflow_version" {
  description = "MLflow version installed on the host (pip)."
  type        = string
  default     = "2.12.2"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.mlflow_version))
    error_message = "mlflow_version must be a version such as 2.12.2."
  }
}

variable "mlflow_username" {
  description = "Basic-auth user name in front of MLflow."
  type        = string
  default     = "wms"
}

variable "github_repositories" {
  description = "GitHub repositories (owner/name) whose workflows may assume the pipeline role through OIDC."
  type        = list(string)
  validation {
    condition     = length(var.github_repositories) > 0 && alltrue([for r in var.github_repositories : can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", r))])
    error_message = "github_repositories must be a non-empty list of owner/name."
  }
}

variable "github_subject_patterns" {
  description = "OIDC subject patterns after 'repo:<owner>/<name>:' that may assume the role, e.g. ref:refs/heads/main, pull_request, environment:production."
  type        = list(string)
  default     = ["ref:refs/heads/main", "pull_request"]
  validation {
    condition     = length(var.github_subject_patterns) > 0 && alltrue([for s in var.github_subject_patterns : can(regex("^(ref:refs/(heads|tags)/.+|pull_request|environment:.+)$", s))])
    error_message = "Each subject pattern must be ref:refs/heads/<branch>, ref:refs/tags/<tag>, pull_request or environment:<name>."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's token.actions.githubusercontent.com OIDC provider (false when the account already has one)."
  type        = bool
  default     = true
}

variable "allow_terraform_mode" {
  description = "Also let the GitHub role run infra/ephemeral (create and destroy hosts). Off keeps the role to start/stop only."
  type        = bool
  default     = false
}

variable "terraform_state_bucket" {
  description = "S3 bucket holding Terraform state, readable/writable by the GitHub role when allow_terraform_mode is true. Empty: none."
  type        = string
  default     = ""
}
