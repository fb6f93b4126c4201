output "instance_id" {
  description = "The MLflow host (start-infra's instance-id, or found by its tag). Empty when create_host is false."
  value       = var.create_host ? module.mlflow_host[0].instance_id : ""
}

output "instance_type" {
  description = "Instance type of the MLflow host."
  value       = var.instance_type
}

output "mlflow_url" {
  description = "MLflow tracking URI while the host runs (its public DNS changes on every start unless an Elastic IP is attached; start-infra reads it from EC2)."
  value       = var.create_host ? module.mlflow_host[0].mlflow_url : ""
}

output "host_tag" {
  description = "The Key=Value tag input of start-infra/stop-infra."
  value       = "${var.host_tag_key}=${var.host_tag_value}"
}

output "bucket_name" {
  description = "S3 bucket for data versions and MLflow artifacts."
  value       = aws_s3_bucket.data.bucket
}

output "data_volume_id" {
  description = "EBS volume with MLflow's backend store (pass to infra/ephemeral as data_volume_id)."
  value       = aws_ebs_volume.mlflow_data.id
}

output "github_role_arn" {
  description = "role-to-assume for aws-actions/configure-aws-credentials (repository variable AWS_ROLE_ARN)."
  value       = aws_iam_role.github.arn
}

output "mlflow_password_parameter" {
  description = "SSM SecureString holding the MLflow basic-auth password (copy it into the MLFLOW_PASSWORD secret)."
  value       = aws_ssm_parameter.mlflow_password.name
}

output "mlflow_username" {
  description = "Basic-auth user name of MLflow."
  value       = var.mlflow_username
}
