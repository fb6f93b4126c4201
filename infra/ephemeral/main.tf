# A host for one pipeline run (start-infra mode terraform applies, stop-infra destroys). Only the
# host is created here: the bucket, the data volume and the password belong to infra/ and survive.
module "mlflow_host" {
  source = "../modules/mlflow-host"

  project                 = var.project
  subnet_id               = var.subnet_id
  allowed_cidrs           = var.allowed_cidrs
  instance_type           = var.instance_type
  architecture            = var.architecture
  bucket_name             = var.bucket_name
  data_volume_id          = var.data_volume_id
  password_parameter_name = var.password_parameter_name
  mlflow_username         = var.mlflow_username
  mlflow_version          = var.mlflow_version
  idle_stop_minutes       = var.idle_stop_minutes
  host_tag_key            = var.host_tag_key
  host_tag_value          = var.host_tag_value
}
