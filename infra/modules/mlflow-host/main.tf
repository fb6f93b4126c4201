data "aws_region" "current" {}

data "aws_subnet" "host" {
  id = var.subnet_id
}

data "aws_ssm_parameter" "al2023_ami" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.architecture}"
}

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "host" {
  name_prefix        = "${var.project}-mlflow-host-"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
}

data "aws_iam_policy_document" "host" {
  statement {
    sid       = "ArtifactsList"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.bucket_name}"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["mlflow-artifacts/*", "mlflow-artifacts"]
    }
  }
  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::${var.bucket_name}/mlflow-artifacts/*"]
  }
  statement {
    sid       = "Password"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:aws:ssm:${data.aws_region.current.name}:*:parameter${var.password_parameter_name}"]
  }
}

resource "aws_iam_role_policy" "host" {
  name   = "mlflow-artifacts-and-password"
  role   = aws_iam_role.host.id
  policy = data.aws_iam_policy_document.host.json
}

# Shell access through SSM Session Manager instead of an open SSH port.
resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.host.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "host" {
  name_prefix = "${var.project}-mlflow-host-"
  role        = aws_iam_role.host.name
}

resource "aws_security_group" "host" {
  name_prefix = "${var.project}-mlflow-"
  description = "MLflow (nginx with basic auth) from the configured CIDRs only"
  vpc_id      = data.aws_subnet.host.vpc_id

  ingress {
    description = "MLflow through nginx"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }

  egress {
    description = "Package installs, S3, SSM"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "Package mirrors over plain HTTP (dnf)"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_instance" "host" {
  ami                    = data.aws_ssm_parameter.al2023_ami.value
  instance_type          = var.instance_type
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.host.id]
  iam_instance_profile   = aws_iam_instance_profile.host.name
  # The idle timer powers the OS off; with "stop" that stops the instance instead of terminating it.
  instance_initiated_shutdown_behavior = "stop"

  metadata_options {
    http_tokens   = "required"
    http_endpoint = "enabled"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 16
    encrypted   = true
  }

  user_data = templatefile("${path.module}/user-data.sh.tftpl", {
    region                  = data.aws_region.current.name
    bucket_name             = var.bucket_name
    data_volume_serial      = replace(var.data_volume_id, "-", "")
    password_parameter_name = var.password_parameter_name
    mlflow_username         = var.mlflow_username
    mlflow_version          = var.mlflow_version
    idle_stop_minutes       = var.idle_stop_minutes
  })

  tags = {
    Name                 = "${var.project}-mlflow"
    (var.host_tag_key)   = var.host_tag_value
  }

  lifecycle {
    ignore_changes = [ami]
  }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = var.data_volume_id
  instance_id = aws_instance.host.id
  # Let systemd unmount cleanly on destroy instead of forcing the volume off.
  stop_instance_before_detaching = true
}
