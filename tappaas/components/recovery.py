"""``Recovery``: a cluster that brings a site's services back from its off-site copy.

Role ``cloud-recovery`` (on a peer's or a rebuilt cluster, or on a rented host): a PVE
``pbs`` storage entry (``PvePbsStorage``, pinned like all our providers) reads the copy on
the peer with a read-only token and the site's encryption key (from this stack's secret
config: a key minted here could never decrypt the site's backups), and each service is
restored from its newest backup, in the policy's priority tiers (``restore_tiers``: the
services others depend on first, one tier each, then the rest side by side), onto its pool
(or the rented host's data storage), with new MAC addresses, optionally on an isolated VLAN,
live (running while its disks stream in) unless configured otherwise. A tier starts when the
tier before it has been restored.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from providers import PvePbsStorage, RestoredVm
from providers.restored_vm import LATEST
from tappaas.components.connection import secret, token_secret
from tappaas.model import Endpoint, RestorePoint, SiteConfig
from tappaas.model.recovery import SOURCE_STORAGE
from tappaas.policy import restore_tiers
from tappaas.policy.restore_key import restore_key_ref


@dataclass(frozen=True)
class RestoreTarget:
    """Where every service lands when the cluster is not the site's own (a rented host)."""

    node: str
    storage: str
    bridge: str | None = None


def source_storage(
    site: SiteConfig, pve_endpoint: dict[str, object], opts: pulumi.ResourceOptions
) -> PvePbsStorage:
    """The ``pbs`` storage entry reading the peer's copy: the read-only token, the site's key.

    Deleting it removes the entry only; the backups on the peer are never touched.
    """
    remote = site.remote
    assert remote is not None and remote.credential is not None
    assert remote.address and remote.fingerprint and remote.datastore
    copy = Endpoint(address=remote.address, fingerprint=remote.fingerprint)
    key = restore_key_ref(site)
    return PvePbsStorage(
        "source",
        {
            "endpoint": pve_endpoint,
            "storage": SOURCE_STORAGE,
            "server": copy.host,
            "port": copy.port,
            "datastore": remote.datastore,
            "namespace": remote.namespace or None,
            "username": remote.credential.token_id,
            "password": token_secret(remote.credential.token_secret),
            "fingerprint": copy.fingerprint,
            "content": ["backup"],
            "key": secret(key) if key is not None else None,
        },
        opts,
    )


class Recovery(pulumi.ComponentResource):
    """The source storage (unless ``with_source`` is off: the caller made it, or the host's
    setup did) and one ``RestoredVm`` per service, tier by tier.

    Restored VMs are production data: each is marked as this stack's, protected in PVE, and
    retained when the stack lets go of it (destroy, a new generation): the stack never
    deletes a restored VM. Restore-time settings changed later change nothing, and the
    program says so; ``recovery.restore.<service>.generation`` restores again, into a new
    VM beside the old one.
    """

    restored: dict[str, RestoredVm]
    tiers: dict[str, int]
    """Service → its tier (1 first)."""

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve_endpoint: dict[str, object],
        opts: pulumi.ResourceOptions | None = None,
        *,
        target: RestoreTarget | None = None,
        with_source: bool = True,
        after: Sequence[pulumi.Resource] = (),
    ) -> None:
        super().__init__("tappaas:index:Recovery", name, None, opts)
        assert site.remote is not None
        child = pulumi.ResourceOptions(parent=self)
        before: list[pulumi.Resource] = list(after)
        if with_source:
            before.append(
                source_storage(
                    site,
                    pve_endpoint,
                    pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=after)),
                )
            )
        owner = f"{pulumi.get_project()}/{pulumi.get_stack()}"
        self.restored, self.tiers = {}, {}
        for number, tier in enumerate(restore_tiers(site), start=1):
            restored_tier = []
            for service_name in tier:
                service = site.services[service_name]
                point = site.recovery.restore.get(service_name, RestorePoint())
                options = {
                    "archive": f"{SOURCE_STORAGE}:backup/vm/{service.vmid}/"
                    + (point.snapshot or LATEST),
                    "storage": target.storage if target else site.pool_of(service).storage_id,
                    "unique": True,
                    "live_restore": site.recovery.live_restore,
                    "start": True,
                    "bwlimit": None,
                    "bridge": target.bridge if target else site.recovery.bridge,
                    "vlan": None if target else site.recovery.vlan,
                }
                vm = RestoredVm(
                    service_name,
                    {
                        "endpoint": pve_endpoint,
                        "node": target.node if target else service.node,
                        "vmid": point.vmid_for(service.vmid),
                        "restore_generation": point.generation,
                        "owner": owner,
                        "description": service.description or "",
                        **options,
                    },
                    pulumi.ResourceOptions.merge(
                        child, pulumi.ResourceOptions(depends_on=before, retain_on_delete=True)
                    ),
                )
                vm.restored_with.apply(functools.partial(_unchanged, service_name, wanted=options))
                self.restored[service_name] = vm
                self.tiers[service_name] = number
                restored_tier.append(vm)
            before = list(restored_tier)
        self.register_outputs({name: vm.restored_snapshot for name, vm in self.restored.items()})


def _unchanged(service: str, used: dict[str, Any] | None, *, wanted: dict[str, Any]) -> None:
    """Say so when restore-time settings changed after the restore: they change nothing."""
    if not used:
        return
    changed = sorted(key for key, value in wanted.items() if key in used and used[key] != value)
    if changed:
        pulumi.log.warn(
            f"{service}: {', '.join(changed)} changed since it was restored; these settings "
            f"only steer a restore, so the running VM is left as it is. To restore again "
            f"with them, raise recovery.restore.{service}.generation (the old VM is kept)"
        )
