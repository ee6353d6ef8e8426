"""``ExistingHost``: a PVE host rented and installed outside Pulumi (``provider: existing``).

For providers whose KVM-capable hosts are ordered by hand (a monthly dedicated server), or a
spare machine: the stack rents nothing and installs nothing; it only waits for that host's
API (the pinned fingerprint, the token) and restores onto it. Nothing here is deleted by
``pulumi destroy``.
"""

from __future__ import annotations

import pulumi

from tappaas.components.hosts import UserData
from tappaas.model._types import split_address
from tappaas.rental import HostPlan


class ExistingHost(pulumi.ComponentResource):
    """The host at ``cloud.address``."""

    def __init__(
        self,
        name: str,
        plan: HostPlan,
        user_data: UserData,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:hosts:ExistingHost", name, None, opts)
        assert plan.address is not None, "provider existing needs cloud.address"
        host, self.port = split_address(plan.address)
        self.address: pulumi.Output[str] = pulumi.Output.from_input(host)
        self.waits_for: list[pulumi.Resource] = []
        self.data_disk: pulumi.Resource | None = None
        self.register_outputs({"address": self.address})
