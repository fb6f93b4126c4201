# The role GitHub Actions assumes with OIDC (aws-actions/configure-aws-credentials,
# role-to-assume): no long-lived keys. It may describe instances, start and stop only instances
# carrying the host tag, and use the data bucket.

locals {
  oidc_url        = "https://token.actions.githubusercontent.com"
  github_subjects = flatten([for repo in var.github_repositories : [for s in var.github_subject_patterns : "repo:${repo}:${s}"]])
  oidc_arn        = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn
}

data "aws_caller_identity" "current" {}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_github_oidc_provider ? 1 : 0
  url            = local.oidc_url
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 0 : 1
  url   = local.oidc_url
}

data "aws_iam_policy_document" "github_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = local.github_subjects
    }
  }
}

resource "aws_iam_role" "github" {
  name                 = "${var.project}-github-pipeline"
  description          = "Assumed by the WMS pipeline's GitHub workflows through OIDC."
  assume_role_policy   = data.aws_iam_policy_document.github_trust.json
  max_session_duration = 3600 * 4
}

data "aws_iam_policy_document" "github_pipeline" {
  statement {
    sid       = "DescribeInstances"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"] # DescribeInstances has no resource-level permissions
  }
  statement {
    sid       = "StartStopTaggedHost"
    actions   = ["ec2:StartInstances", "ec2:StopInstances"]
    resources = ["arn:aws:ec2:${var.region}:${data.aws_caller_identity.current.account_id}:instance/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${var.host_tag_key}"
      values   = [var.host_tag_value]
    }
  }
  statement {
    sid       = "ListDataBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.data.arn]
  }
  statement {
    sid       = "ReadWriteData"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
  statement {
    sid       = "UseBucketKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "github_pipeline" {
  name   = "start-stop-mlflow-and-data"
  role   = aws_iam_role.github.id
  policy = data.aws_iam_policy_document.github_pipeline.json
}

# Only with allow_terraform_mode: what infra/ephemeral needs to create and destroy a host.
data "aws_iam_policy_document" "github_terraform" {
  statement {
    sid = "ManageEphemeralHost"
    actions = [
      "ec2:RunInstances", "ec2:TerminateInstances", "ec2:CreateTags", "ec2:Describe*",
      "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress",
      "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
      "ec2:AttachVolume", "ec2:DetachVolume", "ssm:GetParameter", "ssm:GetParameters",
    ]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }
  statement {
    sid = "ManageHostRole"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy",
      "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile",
      "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:PassRole",
      "iam:TagRole", "iam:TagInstanceProfile", "iam:ListInstanceProfilesForRole",
    ]
    resources = [
      "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${var.project}-mlflow-host-*",
      "arn:aws:iam::${data.aws_caller_identity.current.account_id}:instance-profile/${var.project}-mlflow-host-*",
    ]
  }
  dynamic "statement" {
    for_each = var.terraform_state_bucket == "" ? [] : [var.terraform_state_bucket]
    content {
      sid       = "TerraformState"
      actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = ["arn:aws:s3:::${statement.value}", "arn:aws:s3:::${statement.value}/*"]
    }
  }
}

resource "aws_iam_role_policy" "github_terraform" {
  count  = var.allow_terraform_mode ? 1 : 0
  name   = "terraform-ephemeral-host"
  role   = aws_iam_role.github.id
  policy = data.aws_iam_policy_document.github_terraform.json
}
