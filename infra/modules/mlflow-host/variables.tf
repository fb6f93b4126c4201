variable "project" {
  description = "Short name used in resource names."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the host; must be in the data volume's availability zone."
  type        = string
}

variable "allowed_cidrs" {
  description = "CIDR blocks allowed to reach MLflow on port 80."
  type        = list(string)
  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0" && c != "::/0"])
    error_message = "allowed_cidrs must be a non-empty list of valid CIDR blocks other than 0.0.0.0/0 and ::/0."
  }
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
}

variable "architecture" {
  description = "x86_64 or arm64; picks the Amazon Linux 2023 AMI."
  type        = string
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "bucket_name" {
  description = "S3 bucket for MLflow artifacts (prefix mlflow-artifacts/)."
  type        = string
}

variable "data_volume_id" {
  description = "EBS volume holding MLflow's backend store, attached at /var/lib/mlflow."
  type        = string
  validation {
    condition     = can(regex("^vol-[0-9a-f]{8,17}$", var.data_volume_id))
    error_message = "data_volume_id must look like vol-0123456789abcdef0."
  }
}

variable "password_parameter_name" {
  description = "SSM SecureString parameter with the basic-auth password."
  type        = string
}

variable "mlflow_username" {
  description = "Basic-auth user name."
  type        = string
}

variable "mlflow_version" {
  description = "MLflow version installed with pip."
  type        = string
}

variable "idle_stop_minutes" {
  description = "Minutes without an MLflow request after which the host powers off (stops). 0: never."
  type        = number
}

variable "host_tag_key" {
  description = "Tag key marking the pipeline's host."
  type        = string
}

variable "host_tag_value" {
  description = "Value of host_tag_key."
  type        = string
}
