# The long-lived MLflow host of the ec2 mode: created once, then started and stopped by the
# pipeline (start-infra/stop-infra), the idle timer and the reaper.
module "mlflow_host" {
  source = "./modules/mlflow-host"
  count  = var.create_host ? 1 : 0

  project                 = var.project
  subnet_id               = var.subnet_id
  allowed_cidrs           = var.allowed_cidrs
  instance_type           = var.instance_type
  architecture            = var.architecture
  bucket_name             = aws_s3_bucket.data.bucket
  data_volume_id          = aws_ebs_volume.mlflow_data.id
  password_parameter_name = aws_ssm_parameter.mlflow_password.name
  mlflow_username         = var.mlflow_username
  mlflow_version          = var.mlflow_version
  idle_stop_minutes       = var.idle_stop_minutes
  host_tag_key            = var.host_tag_key
  host_tag_value          = var.host_tag_value
}
