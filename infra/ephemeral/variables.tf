variable "region" {
  description = "AWS region of the persistent infra (infra/)."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "project" {
  description = "The project name used by infra/ (resource names, tags)."
  type        = string
  default     = "wms"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "run_id" {
  description = "Identifies the pipeline run that created this host (tag wms-run), e.g. the GitHub run id."
  type        = string
  default     = "manual"
}

variable "subnet_id" {
  description = "Subnet of the host, in the availability zone of data_volume_id."
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

variable "instance_type" {
  description = "EC2 instance type of the host."
  type        = string
  default     = "t3.small"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t3.small."
  }
}

variable "architecture" {
  description = "x86_64, or arm64 for Graviton types."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "bucket_name" {
  description = "The data/artifact bucket of infra/ (its bucket_name output)."
  type        = string
}

variable "data_volume_id" {
  description = "The MLflow data volume of infra/ (its data_volume_id output); it is attached, never destroyed, here."
  type        = string
  validation {
    condition     = can(regex("^vol-[0-9a-f]{8,17}$", var.data_volume_id))
    error_message = "data_volume_id must look like vol-0123456789abcdef0."
  }
}

variable "password_parameter_name" {
  description = "The SSM parameter of infra/ (its mlflow_password_parameter output)."
  type        = string
  default     = "/wms/mlflow/password"
}

variable "mlflow_username" {
  description = "Basic-auth user name in front of MLflow."
  type        = string
  default     = "wms"
}

variable "mlflow_version" {
  description = "MLflow version installed on the host."
  type        = string
  default     = "2.12.2"
}

variable "idle_stop_minutes" {
  description = "Minutes without an MLflow request after which the host powers off. 0 disables it."
  type        = number
  default     = 60
  validation {
    condition     = var.idle_stop_minutes == 0 || (var.idle_stop_minutes >= 10 && var.idle_stop_minutes <= 1440)
    error_message = "idle_stop_minutes must be 0 (off) or between 10 and 1440."
  }
}

variable "host_tag_key" {
  description = "Tag key marking the pipeline's host (the reaper stops tagged hosts past their lifetime)."
  type        = string
  default     = "wms-pipeline"
}

variable "host_tag_value" {
  description = "Value of host_tag_key."
  type        = string
  default     = "mlflow"
}
