"""``PveApiReady``: wait until a new host's PVE API answers as the host we set up.

A rented host takes 10-20 minutes to become a PVE host (packages, a reboot into the PVE
kernel, the rest), and its setup installs our certificate last. So "ready" means: the API
answers over TLS with the pinned fingerprint (before that it answers with PVE's own
self-signed certificate, or not at all), our token authenticates, the expected node is
online, and (staging) the expected storage exists; then its release must be one this
program supports (PVE 9; checked after the wait, not before it as for other resources).
Until the deadline every failure is waited out; at the deadline the error says what the
host last answered and where to look. Credentials come through ``configure()`` like every
other provider's. Deleting it deletes nothing: the host belongs to the backend.
"""

from __future__ import annotations

import time
from typing import Any

import pulumi
from pydantic import Field

from providers._errors import GuidedError
from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import (
    NO_RETRY,
    AuthError,
    FingerprintMismatchError,
    ProxmoxClient,
    ProxmoxError,
    TransportError,
)
from tappaas.model._types import NodeName, StorageId
from tappaas.pve.cluster import ClusterInfoApi
from tappaas.pve.storage import PbsStorageApi

MAX_DEADLINE_SECONDS = 7 * 86400
DEFAULT_POLL_SECONDS = 15.0
SETUP_LOG = "journalctl -u tappaas-host-setup"


class HostNotReadyError(GuidedError):
    """The deadline passed before the host answered as expected."""


class NotReadyYetError(Exception):
    """The API answers, but the host is not fully set up yet (node or storage missing)."""


class PveApiReadyProps(Props):
    node: NodeName
    """The node the restores go to (the host's name)."""
    storage: StorageId | None = None
    """Also wait for this storage entry (created by the host's setup, e.g. staging)."""
    deadline_seconds: float = Field(gt=0, le=MAX_DEADLINE_SECONDS)
    poll_seconds: float = Field(default=DEFAULT_POLL_SECONDS, gt=0)

    create_only = frozenset({"deadline_seconds", "poll_seconds"})


def _describe(error: Exception, props: PveApiReadyProps) -> str:
    """What the host's last answer means for the admin."""
    if isinstance(error, FingerprintMismatchError):
        return (
            f"it presents another certificate than {props.endpoint.fingerprint} (still installing, "
            "or not the host we set up)"
        )
    if isinstance(error, AuthError):
        return f"it answers but refuses token {props.endpoint.token_id} (not created yet?)"
    if isinstance(error, TransportError):
        return "no connection (booting, installing, or a firewall in between)"
    return str(error)


class PveApiReadyProvider(ObjectProvider[PveApiReadyProps]):
    props_type = PveApiReadyProps
    makes_an_object = False  # it waits for a host; a host already up makes the wait immediate

    def client(self, props: PveApiReadyProps) -> ProxmoxClient:
        """One attempt per poll: the poll loop is the retry."""
        if self.credentials is None:
            raise RuntimeError("provider used before configure(): no credentials")
        return self.credentials.client(props.endpoint, retry=NO_RETRY)

    def object_id(self, props: PveApiReadyProps) -> str:
        return f"{props.endpoint.host}:{props.endpoint.port or 8006}/{props.node}"

    def _check(self, client: ProxmoxClient, props: PveApiReadyProps) -> str:
        """The PVE version if the host is ready; raises what stands in the way."""
        info = ClusterInfoApi(client)
        version = info.version()
        online = info.online_nodes()
        if props.node not in online:
            listed = ", ".join(online) or "none"
            raise NotReadyYetError(f"node {props.node!r} is not online (online: {listed})")
        if props.storage is not None and PbsStorageApi(client).get(props.storage) is None:
            raise NotReadyYetError(f"storage {props.storage!r} does not exist yet")
        return f"{version.version}-{version.release}" if version.release else version.version

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PveApiReadyProps
    ) -> PveApiReadyProps | None:
        try:
            self._check(client, props)
        except (ProxmoxError, NotReadyYetError):
            return None
        return props

    def wait(self, client: ProxmoxClient, props: PveApiReadyProps) -> dict[str, Any]:
        started = time.monotonic()
        last = "no answer yet"
        while True:
            try:
                version = self._check(client, props)
            except (ProxmoxError, NotReadyYetError) as error:
                last = _describe(error, props)
            else:
                client.require_supported()  # a ready host must run PVE 9 or newer
                waited = round(time.monotonic() - started, 1)
                return {"version": version, "waited_seconds": waited}
            if time.monotonic() - started + props.poll_seconds > props.deadline_seconds:
                url = f"https://{props.endpoint.host}:{props.endpoint.port or 8006}"
                raise HostNotReadyError(
                    f"{url} was not ready within {props.deadline_seconds:g} s: {last}. "
                    f"On the host, `{SETUP_LOG}` shows how far its setup got."
                )
            time.sleep(props.poll_seconds)

    def require_release(self, client: ProxmoxClient) -> None:
        """Checked in ``wait`` once the host is ready: a host still being set up has no
        ``/version`` to read, and that is what the wait is for."""

    def create_object(self, client: ProxmoxClient, props: PveApiReadyProps) -> dict[str, Any]:
        return self.wait(client, props)

    def update_object(
        self, client: ProxmoxClient, object_id: str, old: PveApiReadyProps, new: PveApiReadyProps
    ) -> None:
        self.wait(client, new)

    def extra_outputs(self, props: PveApiReadyProps, olds: dict[str, Any]) -> dict[str, Any]:
        return {key: olds.get(key) for key in ("version", "waited_seconds")}

    def delete_object(self, client: ProxmoxClient, object_id: str, props: PveApiReadyProps) -> None:
        """Nothing to delete: the host belongs to its backend."""


class PveApiReady(ObjectResource, module="pve", name="ApiReady"):
    """Done when the host's PVE API answers with the pinned certificate and our token."""

    provider_type = PveApiReadyProvider
    computed = ("version", "waited_seconds")

    version: pulumi.Output[str]
    waited_seconds: pulumi.Output[float]
