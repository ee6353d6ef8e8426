"""The lab's PBS answers ``/version`` as PBS does and behaves as the release it reports.

``pbs-buildcfg/src/lib.rs``: ``version`` = major.minor, ``release`` = patch level. An
option added after the reported release is refused as that release's schema refuses an
unknown property (proxmox-backup ``debian/changelog``: run-on-mount 4.0.4,
unmount-on-done 4.0.20).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lab import Lab
from tappaas.client import ParameterError
from tests.providers.harness import lab_client


def test_version_is_major_minor_plus_patch_release(lab: Lab) -> None:
    answer = lab_client(lab.pbs["local"]).get("/version")
    assert (answer["version"], answer["release"]) == ("4.2", "3")


def test_an_older_release_refuses_newer_sync_options(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(pbs=("local",), pbs_version="4.0.3")
    client = lab_client(lab.pbs["local"])
    assert client.get("/version")["release"] == "3"
    for name in ("a-store", "b-store"):
        client.wait_for_task(client.post("/config/datastore", name=name, path=f"/t/{name}"))
    base = {"id": "usb", "store": "a-store", "remote-store": "b-store"}
    with pytest.raises(ParameterError, match="'run-on-mount': schema does not allow additional"):
        client.post("/config/sync", **base, **{"run-on-mount": False})
    client.post("/config/sync", **base)
    with pytest.raises(ParameterError, match="'unmount-on-done'"):
        client.put("/config/sync/usb", **{"unmount-on-done": True})
