"""The Pulumi resource side of our providers: one base that declares every output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from providers._lifecycle import ObjectProvider, Props


class ObjectResource(Resource):
    """A dynamic resource whose inputs are validated by its provider's props model.

    Every props field and computed output is declared up front (as ``None``) so it is
    readable as an ``Output`` attribute; ``secret_outputs`` are stored encrypted in state.
    """

    resource_id: pulumi.Output[str]

    def __init__(
        self,
        provider: ObjectProvider[Any],
        name: str,
        inputs: Mapping[str, pulumi.Input[Any]],
        opts: pulumi.ResourceOptions | None = None,
        *,
        computed: Sequence[str] = (),
        secret_outputs: Sequence[str] = (),
    ) -> None:
        props_type: type[Props] = provider.props_type
        declared: dict[str, Any] = dict.fromkeys(props_type.model_fields)
        declared.update({f"{f}_sha256": None for f in props_type.write_only})
        declared.update(dict.fromkeys(("resource_id", *computed)))
        declared.update(inputs)
        hidden = [*secret_outputs, *(f"{f}_sha256" for f in props_type.write_only)]
        merged = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=hidden)
        )
        super().__init__(provider, name, declared, merged)
