"""What the upstream proxmoxve provider cannot express, refused before it silently differs.

The PVE storage entry of a PBS (``storage.Pbs``, bpg/terraform-provider-proxmox v0.111.1
``fwprovider/storage/model_pbs.go`` and ``proxmox/storage/pbs_types.go``, bridged by
pulumi-proxmoxve 8.3.0) has ``server`` but no ``port``; PVE then connects to 8007
(pve-storage ``src/PVE/Storage/PBSPlugin.pm``: ``port => $scfg->{port} // 8007``), while
our own providers would happily use the configured port. So a PBS elsewhere than 8007 is an
error when the program manages the PVE side, naming the key to change.
"""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model._types import split_address
from tappaas.model.errors import ConfigIssue
from tappaas.model.site import Role, SiteConfig

PVE_PBS_PORT = 8007
"""The only port a PVE storage entry made by the upstream provider can reach PBS on."""


def _refused(key: str, port: int) -> ConfigIssue:
    return ConfigIssue(
        key,
        f"port {port}: the PVE storage entry for this PBS is made by the upstream proxmoxve "
        f"provider, which cannot set a port, so PVE would connect to {PVE_PBS_PORT}. Serve PBS "
        f"on {PVE_PBS_PORT} (or forward {PVE_PBS_PORT} to it), or set tappaas:pveResources to "
        "false and add the storage yourself (`pvesm add pbs <id> … --port <port>`)",
    )


def upstream_pbs_port_issues(site: SiteConfig) -> Iterator[ConfigIssue]:
    """A PBS that PVE must reach (the local one; the copy a recovery restores from) on a
    port other than 8007."""
    if site.backup is not None and site.backup.pbs.port not in (None, PVE_PBS_PORT):
        yield _refused("backup.pbs.address", site.backup.pbs.port)
    remote = site.remote
    if site.role is Role.CLOUD_RECOVERY and remote is not None and remote.address is not None:
        port = split_address(remote.address)[1]
        if port not in (None, PVE_PBS_PORT):
            yield _refused("remote.address", port)
