"""``RestoredVm``: a VM restored on a PVE node from a PBS snapshot (the DR building block).

Create-only: every input is identity, so a different snapshot, node or option means a new
restore. The task is awaited; outputs say which snapshot was restored and how long it took.
Deleting the resource stops and purges the restored VM (never the backup it came from).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import Field

from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import ProxmoxClient
from tappaas.pve.qemu import QemuApi, RestoreRequest


class RestoredVmProps(Props):
    identity = frozenset(
        {"node", "vmid", "archive", "storage", "unique", "live_restore", "start", "bwlimit"}
    )

    node: str
    vmid: int = Field(ge=100, le=999_999_999)
    archive: str = Field(pattern=r"^[^:]+:backup/(vm|ct)/\d+/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    """``<pbs storage>:backup/vm/<id>/<UTC time>``, the PVE volume id of the snapshot."""
    storage: str | None = None
    unique: bool = True
    """New MAC addresses, so a copy can run beside the original (e.g. in an isolated VLAN)."""
    live_restore: bool = False
    start: bool = False
    bwlimit: int | None = None


class RestoredVmProvider(ObjectProvider[RestoredVmProps]):
    props_type = RestoredVmProps

    def object_id(self, props: RestoredVmProps) -> str:
        return f"{props.node}/{props.vmid}"

    def observe(
        self, client: ProxmoxClient, object_id: str, props: RestoredVmProps
    ) -> RestoredVmProps | None:
        return props if QemuApi(client).exists(props.node, props.vmid) else None

    def create_object(self, client: ProxmoxClient, props: RestoredVmProps) -> dict[str, Any]:
        request = RestoreRequest.model_validate(
            props.model_dump(include=set(RestoreRequest.model_fields))
        )
        result = QemuApi(client).restore(props.node, request)
        return {
            "restored_snapshot": props.archive.split(":", 1)[1],
            "restore_seconds": round(result.seconds, 3),
            "restore_task": result.upid.text,
        }

    def extra_outputs(self, props: RestoredVmProps, olds: dict[str, Any]) -> dict[str, Any]:
        keys = ("restored_snapshot", "restore_seconds", "restore_task")
        return {key: olds.get(key) for key in keys}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: RestoredVmProps,
        new: RestoredVmProps,
    ) -> None:
        """Only the endpoint can differ here (everything else is identity): nothing to send."""

    def delete_object(self, client: ProxmoxClient, object_id: str, props: RestoredVmProps) -> None:
        QemuApi(client).destroy(props.node, props.vmid)


class RestoredVm(ObjectResource, module="pve", name="RestoredVm"):
    """A VM restored from a PBS backup; ``restored_snapshot``/``restore_seconds`` report it."""

    restored_snapshot: pulumi.Output[str]
    restore_seconds: pulumi.Output[float]

    def __init__(
        self,
        resource_name: str,
        inputs: dict[str, pulumi.Input[Any]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            RestoredVmProvider(),
            resource_name,
            inputs,
            opts,
            computed=("restored_snapshot", "restore_seconds", "restore_task"),
        )
