"""What the lab answers so that the upstream Terraform-based plugin can run against it, each
as real PVE does (the source is named on each test).

- TLS: endpoint certificates are signed by the lab's CA, so a client that cannot pin (Go's
  TLS in the plugin) verifies them through ``SSL_CERT_FILE``; pinning still works.
- ``GET /cluster/options``: property-string options parsed into objects.
- Storage entries record the key's fingerprint and ``master-pubkey: 1``.
- A restore needs the very key the backup was made with.
- Secondary clusters: a peer's own cluster with its own state.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from lab import Lab
from lab.behaviour.datacenter_config import parse_property_string, read_options
from lab.lab_file import ca_file_of, write_lab_file
from tests.providers.harness import lab_client

KEY_A = json.dumps({"kdf": None, "data": "YQ==", "fingerprint": "aa:aa"})
KEY_B = json.dumps({"kdf": None, "data": "Yg==", "fingerprint": "bb:bb"})


def test_certificates_verify_through_the_lab_ca(lab: Lab, tmp_path: Path) -> None:
    lab_file = tmp_path / "lab.json"
    write_lab_file(lab_file, lab, 0)
    ca_file = ca_file_of(lab_file)
    assert json.loads(lab_file.read_text())["ca_file"] == str(ca_file.resolve())
    assert oct(lab_file.stat().st_mode & 0o777) == "0o600"
    context = ssl.create_default_context(cafile=str(ca_file))
    for endpoint in lab.endpoints():  # TLS verifies; the API then asks for credentials
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{endpoint.url}/api2/json/version", context=context)
        assert refused.value.code == 401
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(
            f"{lab.pve.url}/api2/json/version", context=ssl.create_default_context()
        )
    assert lab_client(lab.pve).get("/version")  # our client still pins the leaf


def test_datacenter_options_come_back_parsed(fresh_lab: Lab) -> None:
    """pve-cluster ``src/PVE/DataCenterConfig.pm`` ``parse_datacenter_config``: ``crs``,
    ``ha``, ``migration`` … are parsed with their formats; ``mac_prefix`` defaults to the
    Proxmox OUI; pve-manager ``PVE/API2/Cluster.pm`` adds ``allowed-tags``."""
    client = lab_client(fresh_lab.pve)
    client.put(
        "/cluster/options",
        crs="ha=static,ha-rebalance-on-start=1",
        ha="shutdown_policy=migrate",
        migration="insecure,network=10.0.0.0/24",
    )
    options = client.get("/cluster/options")
    assert options["crs"] == {"ha": "static", "ha-rebalance-on-start": 1}
    assert options["ha"] == {"shutdown_policy": "migrate"}
    assert options["migration"] == {"type": "insecure", "network": "10.0.0.0/24"}
    assert options["mac_prefix"] == "BC:24:11" and options["allowed-tags"] == []
    client.put("/cluster/options", delete="crs")
    assert "crs" not in client.get("/cluster/options")


def test_an_empty_crs_line_is_ignored() -> None:
    """DataCenterConfig.pm: "ignoring empty 'crs:' line in datacenter.cfg"."""
    assert "crs" not in read_options({"crs": ""})
    assert parse_property_string("next-id", "lower=100,upper=999") == {"lower": 100, "upper": 999}


def _pbs_entry(fresh_lab: Lab, storage: str, **extra: str) -> None:
    pbs = fresh_lab.pbs["local"]
    lab_client(fresh_lab.pve).post(
        "/storage",
        storage=storage,
        type="pbs",
        server=pbs.host,
        port=pbs.port,
        datastore="tanka",
        username=pbs.token_id,
        password=pbs.token_secret,
        fingerprint=pbs.fingerprint,
        **extra,
    )


def test_storage_records_key_fingerprint_and_escrow_marker(fresh_lab: Lab) -> None:
    """pve-storage ``src/PVE/Storage/PBSPlugin.pm`` ``on_add_hook``/``on_update_hook``:
    ``encryption-key`` is ``$decoded_key->{fingerprint} || 1``, ``master-pubkey`` is 1, the
    secrets themselves stay in /etc/pve/priv; a value that is not a key file is refused;
    ``master-pubkey`` needs a key only when the entry is created."""
    client = lab_client(fresh_lab.pve)
    _pbs_entry(fresh_lab, "keyed", **{"encryption-key": KEY_A, "master-pubkey": "UEVN"})
    entry = client.get("/storage/keyed")
    assert (entry["encryption-key"], entry["master-pubkey"]) == ("aa:aa", 1)
    assert "password" not in entry
    nameless = json.dumps({"kdf": None, "data": "YQ=="})
    client.put("/storage/keyed", **{"encryption-key": nameless})
    assert client.get("/storage/keyed")["encryption-key"] == "1"
    with pytest.raises(Exception, match="JSON formatted encryption key"):
        client.put("/storage/keyed", **{"encryption-key": "garbage"})
    with pytest.raises(Exception, match="create storage failed: 'master-pubkey' can only be used"):
        _pbs_entry(fresh_lab, "escrow-only", **{"master-pubkey": "UEVN"})
    assert "escrow-only" not in {e["storage"] for e in client.get("/storage")}
    _pbs_entry(fresh_lab, "escrow-later")  # on_update_hook sets it alone
    client.put("/storage/escrow-later", **{"master-pubkey": "UEVN"})
    assert client.get("/storage/escrow-later")["master-pubkey"] == 1


def test_restore_needs_the_key_the_backup_was_made_with(fresh_lab: Lab) -> None:
    """proxmox-backup ``pbs-datastore/src/manifest.rs`` ``check_fingerprint``: "missing key
    - manifest was created with key …", "wrong key - manifest's key … does not match
    provided key …"."""
    client = lab_client(fresh_lab.pve)
    pbs = lab_client(fresh_lab.pbs["local"])
    pbs.wait_for_task(pbs.post("/config/datastore", name="tanka", path="/mnt/tanka"))
    client.post("/storage", storage="tankb", type="zfspool", pool="tankb")
    fresh_lab.control.seed_vm(301, "tappaas1", "db", disks={"scsi0": "tankb:vm-301-disk-0,size=8G"})
    _pbs_entry(fresh_lab, "site", **{"encryption-key": KEY_A})
    client.post("/cluster/backup", id="nightly", schedule="02:00", storage="site", vmid="301")
    fresh_lab.control.run_job("vzdump", "nightly")
    (volume,) = [c["volid"] for c in client.get("/nodes/tappaas1/storage/site/content")]
    assert client.get("/nodes/tappaas1/storage/site/content")[0]["encrypted"] == "aa:aa"

    _pbs_entry(fresh_lab, "autogen", **{"encryption-key": "autogen"})
    wrong = client.post(
        "/nodes/tappaas2/qemu",
        vmid=302,
        archive=volume.replace("site:", "autogen:"),
        storage="tankb",
    )
    status = client.get(f"/nodes/tappaas2/tasks/{wrong}/status")
    assert "wrong key - manifest's key aa:aa does not match provided key" in status["exitstatus"]
    _pbs_entry(fresh_lab, "keyless")
    missing = client.post(
        "/nodes/tappaas2/qemu",
        vmid=303,
        archive=volume.replace("site:", "keyless:"),
        storage="tankb",
    )
    assert (
        "missing key - manifest was created with key aa:aa"
        in client.get(f"/nodes/tappaas2/tasks/{missing}/status")["exitstatus"]
    )
    right = client.post("/nodes/tappaas2/qemu", vmid=304, archive=volume, storage="tankb")
    assert client.get(f"/nodes/tappaas2/tasks/{right}/status")["exitstatus"] == "OK"


def test_a_secondary_cluster_has_its_own_state(lab_factory: Callable[..., Lab]) -> None:
    lab = lab_factory(clusters={"peer-pve": ("tappaas1",)})
    peer = lab_client(lab.clusters["peer-pve"])
    assert [n["node"] for n in peer.get("/nodes")] == ["tappaas1"]
    peer.post("/storage", storage="tankc1", type="zfspool", pool="tankc1")
    assert "tankc1" not in {e["storage"] for e in lab_client(lab.pve).get("/storage")}
    assert lab.clusters["peer-pve"].fingerprint != lab.pve.fingerprint
    with pytest.raises(Exception, match="not implemented in the TAPPaaS lab on a secondary"):
        peer.get("/cluster/ha/status/current")
