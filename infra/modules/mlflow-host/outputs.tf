output "instance_id" {
  description = "The MLflow host's instance id."
  value       = aws_instance.host.id
}

output "instance_type" {
  description = "The MLflow host's instance type."
  value       = aws_instance.host.instance_type
}

output "mlflow_url" {
  description = "http://<public DNS> (or the private IP in a subnet without public addresses)."
  value       = "http://${aws_instance.host.public_dns != "" ? aws_instance.host.public_dns : aws_instance.host.private_ip}"
}

output "security_group_id" {
  description = "Security group admitting allowed_cidrs to port 80."
  value       = aws_security_group.host.id
}
