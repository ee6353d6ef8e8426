"""Pulumi mocks for graph-shape tests: record every resource with its inputs and options.

Mocks are for the shape of the graph only (which resources, inputs, options, secrets); what
those resources do is tested against the lab with the real engine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "tappaas:pveApiToken": "pve-token-secret-value",
    "tappaas:pbsApiToken": "pbs-admin-secret-value",
    "tappaas:pbsEncryptionKey": '{"kdf": null, "data": "encryption-key-value"}',
    "tappaas:pbsMasterPubkey": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K",
}


@dataclass
class Registered:
    """One resource as the program declared it."""

    type_: str
    name: str
    props: Mapping[str, Any]
    opts: pulumi.ResourceOptions
    parent: str | None


@dataclass
class Recorder:
    """Collects registrations (a resource transformation) and answers the mock engine."""

    resources: list[Registered] = field(default_factory=list)
    stack_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[tuple[str, str]] = field(default_factory=list)
    """(type, name) of every resource the mock engine was asked to create."""

    def transformation(
        self, args: pulumi.ResourceTransformationArgs
    ) -> pulumi.ResourceTransformationResult | None:
        parent = args.opts.parent
        parent_name = parent._name if isinstance(parent, pulumi.Resource) else None
        self.resources.append(Registered(args.type_, args.name, args.props, args.opts, parent_name))
        return None

    def of_type(self, type_: str) -> list[Registered]:
        return [r for r in self.resources if r.type_ == type_]

    def named(self, name: str) -> Registered:
        (found,) = [r for r in self.resources if r.name == name]
        return found


class Mocks(pulumi.runtime.Mocks):
    """Ids are names; outputs echo inputs, plus what the real providers compute."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        self.recorder.created.append((args.typ, args.name))
        if args.typ == "pulumi:pulumi:StackReference":
            return args.name, {"outputs": self.recorder.stack_outputs.get(args.inputs["name"], {})}
        if args.typ.endswith("pbs:Token"):
            outputs["token_id"] = f"{args.inputs['userid']}!{args.inputs['token_name']}"
            outputs["secret"] = f"mock-secret-of-{args.name}"
        if args.typ.startswith("pulumi-python:dynamic"):
            outputs.setdefault("resource_id", args.name)
        return args.name, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def stack_config(stack: str) -> dict[str, Any]:
    """The ``tappaas:site`` object of ``Pulumi.<stack>.yaml`` at the repository root."""
    with (REPO / f"Pulumi.{stack}.yaml").open() as fh:
        site: dict[str, Any] = yaml.safe_load(fh)["config"]["tappaas:site"]
    return site


def set_config(site: dict[str, Any], **extra: str) -> None:
    pulumi.runtime.set_all_config(
        {"tappaas:site": json.dumps(site), **SECRETS, **extra}, list(SECRETS)
    )
