"""Issue 11.3: the PBS port reaches PVE.

PVE connects to a PBS storage entry's ``port``, 8007 when unset (pve-storage
``PBSPlugin.pm``, ``$scfg->{port} // 8007``). Upstream's ``storage.Pbs`` (bpg
v0.111.1 ``proxmox/storage/pbs_types.go``) has no port, so the entry is our own
``PvePbsStorage``, which sends it: a PBS on another port is backed up to on that port.
"""

from __future__ import annotations

import copy

import pulumi
import pytest

from tappaas.components.site import Site
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, set_config, stack_config


@pytest.fixture
def recorder() -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=False)
    return recorder


@pulumi.runtime.test
def test_a_local_pbs_on_another_port_reaches_the_storage_entry(recorder: Recorder) -> None:
    site = copy.deepcopy(stack_config("prod"))
    site["backup"]["pbs"]["address"] = "192.168.1.13:8443"
    set_config(site)
    Site(
        "site",
        load_site_config(site),
        pulumi.ResourceOptions(transformations=[recorder.transformation]),
    )
    storage = recorder.named("pbs-storage")
    assert storage.type_ == "pulumi-python:dynamic/pve:PbsStorage"
    assert (storage.props["server"], storage.props["port"]) == ("192.168.1.13", 8443)
