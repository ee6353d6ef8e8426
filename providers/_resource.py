"""The Pulumi resource side of our providers: one base that declares every output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource

from providers._lifecycle import ObjectProvider, Props


class ObjectResource(Resource):
    """A dynamic resource whose inputs are validated by its provider's props model.

    Subclasses name their ``provider_type``; every props field and computed output is
    declared up front (as ``None``) so it is readable as an ``Output`` attribute, and
    ``secret_outputs`` (plus write-only hashes) are stored encrypted in state.
    """

    provider_type: ClassVar[type[ObjectProvider[Any]]]
    computed: ClassVar[tuple[str, ...]] = ()
    secret_outputs: ClassVar[tuple[str, ...]] = ()

    resource_id: pulumi.Output[str]

    @classmethod
    def type_token(cls) -> str:
        """The engine's type token, e.g. ``pulumi-python:dynamic/pbs:Datastore``."""
        return f"pulumi-python:{cls._resource_type_name}"

    def __init__(
        self,
        resource_name: str,
        inputs: Mapping[str, pulumi.Input[Any]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props_type: type[Props] = self.provider_type.props_type
        declared: dict[str, Any] = dict.fromkeys(props_type.model_fields)
        declared.update({f"{f}_sha256": None for f in props_type.write_only})
        declared.update(dict.fromkeys(("resource_id", *self.computed)))
        declared.update(inputs)
        hidden = [*self.secret_outputs, *(f"{f}_sha256" for f in props_type.write_only)]
        merged = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=hidden)
        )
        super().__init__(self.provider_type(), resource_name, declared, merged)
