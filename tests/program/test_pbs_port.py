"""Issue 11.3: a PBS port the PVE storage entry cannot carry is refused, naming the key.

The upstream ``storage.Pbs`` (bpg/terraform-provider-proxmox v0.111.1
``fwprovider/storage/model_pbs.go``, ``proxmox/storage/pbs_types.go``) has no ``port``, and
PVE then connects to 8007 (pve-storage ``PBSPlugin.pm``, ``$scfg->{port} // 8007``). Before
this check the program created the entry without a port and PVE backed up to the wrong one.
"""

from __future__ import annotations

import copy

import pulumi
import pytest

from tappaas import program
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, set_config, stack_config


@pytest.fixture
def recorder() -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=True)
    return recorder


def test_a_local_pbs_on_another_port_is_refused_before_any_resource(recorder: Recorder) -> None:
    site = copy.deepcopy(stack_config("prod"))
    site["backup"]["pbs"]["address"] = "192.168.1.13:8443"
    set_config(site)
    with pytest.raises(program.PolicyError) as stopped:
        program.main()
    assert "backup.pbs.address: port 8443" in str(stopped.value)
    assert "cannot set a port" in str(stopped.value)
    assert recorder.created == []


def test_without_the_upstream_provider_any_port_is_fine(recorder: Recorder) -> None:
    @pulumi.runtime.test
    def run() -> None:
        site = copy.deepcopy(stack_config("prod"))
        site["backup"]["pbs"]["address"] = "192.168.1.13:8443"
        set_config(site, **{"tappaas:pveResources": "false"})
        program.main()

    run()
    assert ("pulumi-python:dynamic/pbs:Datastore", "datastore") in recorder.created


def test_an_explicit_8007_is_fine(recorder: Recorder) -> None:
    site = copy.deepcopy(stack_config("prod"))
    site["backup"]["pbs"]["address"] = "192.168.1.13:8007"
    program.check_upstream_limits(load_site_config(site), pve_resources=True)


def test_a_recovery_source_on_another_port_is_refused() -> None:
    site = copy.deepcopy(stack_config("prod"))
    for key in ("backup", "personal"):
        site.pop(key, None)
    for service in site["services"].values():
        service.pop("personal_export", None)
    site["role"] = "cloud-recovery"
    site["recovery"] = {"methods": ["cloud"]}
    site["remote"] = {
        "address": "peer.example:8443",
        "fingerprint": ":".join(["AB"] * 32),
        "datastore": "tappaas_backup",
        "credential": {"token_id": "r@pbs!read", "token_secret": {"secret": "readToken"}},
    }
    with pytest.raises(program.PolicyError, match=r"remote\.address: port 8443"):
        program.check_upstream_limits(load_site_config(site), pve_resources=True)
