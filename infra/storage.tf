# Everything that must outlive the MLflow host: data and artifacts in S3, the backend store
# (sqlite) on an EBS volume that is never part of a host's lifecycle.

resource "aws_s3_bucket" "data" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Plain HTTP to the bucket is refused.
resource "aws_s3_bucket_policy" "data_tls_only" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.data]
}

# Old versions of replaced objects are kept 90 days, then expire.
resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_subnet" "host" {
  id = var.subnet_id
}

resource "aws_ebs_volume" "mlflow_data" {
  availability_zone = data.aws_subnet.host.availability_zone
  size              = var.data_volume_size_gb
  type              = "gp3"
  encrypted         = true
  tags = {
    Name = "${var.project}-mlflow-data"
  }
  lifecycle {
    # The Production baseline lives here: `terraform destroy` of this root must be deliberate.
    prevent_destroy = true
  }
}

resource "random_password" "mlflow" {
  length  = 32
  special = false
}

resource "aws_ssm_parameter" "mlflow_password" {
  name        = "/${var.project}/mlflow/password"
  description = "Basic-auth password of the MLflow host (user ${var.mlflow_username})."
  type        = "SecureString"
  value       = random_password.mlflow.result
}
