"""The stack as CloudFormation will see it: template.yaml through the SAM translator (the
`samtranslator` package the SAM CLI ships, the same code as the AWS::Serverless transform), once
per documented parameter set."""

from __future__ import annotations

import copy
import functools
import os
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "template.yaml"
SAMCONFIG = REPO_ROOT / "samconfig.toml"
# What `sam validate` substitutes for a local image: only `sam deploy` knows the pushed image.
PLACEHOLDER_IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/repository"

# Beyond samconfig.toml's environments: every optional parameter switched away from its default,
# so the conditional resources and values are translated and linted too.
EVERYTHING_ON = {
    "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:emotion-ops",
    "CreateApiGatewayLoggingRole": "true",
    "AwsEndpointUrl": "http://127.0.0.1:5000",
    "CorsAllowOrigin": "https://app.example.com",
    "ApiReservedConcurrency": "50",
    "BaseImage": "localhost/lambda-python:3.11",
    "ApiDeploymentType": "Linear10PercentEvery1Minute",
    "BulkDeploymentType": "Canary10Percent5Minutes",
    "JobsTableDeletionProtection": "false",
    "CustomModelsBucket": "emotion-custom-models",
    "CustomModelsSha256": "tickets=" + "0" * 64,
}


def samconfig_overrides() -> dict[str, dict[str, str]]:
    """`sam deploy --config-env <env>` parameter overrides, per environment of samconfig.toml."""
    config = tomllib.loads(SAMCONFIG.read_text())
    found: dict[str, dict[str, str]] = {}
    for env, sections in config.items():
        if not isinstance(sections, dict) or "deploy" not in sections:
            continue
        overrides = sections["deploy"]["parameters"].get("parameter_overrides", "")
        found[env] = dict(pair.split("=", 1) for pair in shlex.split(overrides))
    return found


def parameter_sets() -> dict[str, dict[str, str]]:
    return {"template defaults": {}, **samconfig_overrides(), "everything on": EVERYTHING_ON}


def sam_template() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    template: dict[str, Any] = yaml_parse(TEMPLATE.read_text())
    return template


class _NoManagedPolicies:
    """The template names managed policies by ARN only; nothing to look up (no AWS call)."""

    def load(self) -> dict[str, str]:
        return {}


@functools.cache
def _translate(params: tuple[tuple[str, str], ...], passthrough_metadata: bool) -> dict[str, Any]:
    transform = pytest.importorskip("samtranslator.translator.transform", reason="aws-sam-translator (dev extra)")
    template = sam_template()
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and props.get("PackageType") == "Image":
            props.setdefault("ImageUri", PLACEHOLDER_IMAGE)
    # The translator builds ARNs with the region of the environment; the tests must not depend on one.
    region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    try:
        translated: dict[str, Any] = transform.transform(
            template, dict(params), _NoManagedPolicies(), passthrough_metadata=passthrough_metadata)  # type: ignore[arg-type]
    finally:
        if region is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = region
    return translated


def translate(params: dict[str, str], *, passthrough_metadata: bool = False) -> dict[str, Any]:
    """The CloudFormation template the transform makes with these parameter values (a fresh copy).

    passthrough_metadata copies each SAM resource's Metadata (checkov suppressions) onto the
    resources generated from it, as SAM CLI does for its own tools."""
    return copy.deepcopy(_translate(tuple(sorted(params.items())), passthrough_metadata))


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def effective(params: dict[str, str], name: str) -> str:
    """A parameter's value in force: the override, else the template's default."""
    if name in params:
        return params[name]
    return str(sam_template()["Parameters"][name]["Default"])
