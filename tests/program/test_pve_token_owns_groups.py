"""Issue 11.11: the site hands its namespace's backup groups to PVE's current token.

PBS lets only a group's owner add backups to it (proxmox-backup ``src/api2/backup/mod.rs``),
so a renamed ``backup.pbs.pve_token_id`` must take over the groups the old one wrote.
"""

from __future__ import annotations

import pulumi

from tappaas.components.site import Site
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, set_config, stack_config


@pulumi.runtime.test
def test_the_pve_token_owns_the_sites_groups() -> pulumi.Output[bool]:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=False)
    raw = stack_config("prod")
    raw["backup"]["pbs"]["pve_token_id"] = "tappaas-pve@pbs!renamed"
    set_config(raw)
    site = load_site_config(raw)
    Site("site", site, pulumi.ResourceOptions(transformations=[recorder.transformation]))
    owner = recorder.named("pve-owns-backups").props
    assert site.backup is not None
    assert (owner["store"], owner["ns"]) == (site.backup.pbs.datastore, site.backup.pbs.namespace)

    def check(token_id: str) -> bool:
        assert token_id == "tappaas-pve@pbs!renamed"
        return True

    return pulumi.Output.from_input(owner["owner"]).apply(check)
