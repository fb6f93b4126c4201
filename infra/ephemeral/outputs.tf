# start-infra (mode terraform) reads instance_id, mlflow_url and instance_type.
output "instance_id" {
  description = "The host created for this run."
  value       = module.mlflow_host.instance_id
}

output "mlflow_url" {
  description = "MLflow tracking URI of the host."
  value       = module.mlflow_host.mlflow_url
}

output "instance_type" {
  description = "Instance type, for the cost report."
  value       = module.mlflow_host.instance_type
}
