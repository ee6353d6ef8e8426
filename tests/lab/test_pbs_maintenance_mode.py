"""The lab stores a datastore's ``maintenance-mode`` as PBS does.

``DataStoreConfig::set_maintenance_mode`` (proxmox-rs ``pbs-api-types/src/datastore.rs``)
re-prints the parsed ``MaintenanceMode`` (``src/maintenance.rs``, default key ``type``), and
proxmox-schema ``src/ser/mod.rs`` writes the default key without ``type=``. A datastore in
``delete`` maintenance cannot leave it ("datastore is being deleted").
"""

from __future__ import annotations

import pytest

from lab import Lab
from tappaas.client import ApiError
from tests.providers.harness import lab_client


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("type=read-only", "read-only"),
        ("offline", "offline"),
        ("message=disk swap,type=offline", "offline,message=disk swap"),
        ('type=read-only,message="say \\"hi\\""', 'read-only,message="say \\"hi\\""'),
    ],
)
def test_maintenance_mode_reads_back_reprinted(
    lab: Lab, unique_name, written: str, stored: str
) -> None:
    client = lab_client(lab.pbs["local"])
    name = unique_name("mm")
    client.wait_for_task(client.post("/config/datastore", name=name, path=f"/tankc/{name}"))
    client.put(f"/config/datastore/{name}", **{"maintenance-mode": written})
    assert client.get(f"/config/datastore/{name}")["maintenance-mode"] == stored
    client.put(f"/config/datastore/{name}", delete=["maintenance-mode"])
    assert "maintenance-mode" not in client.get(f"/config/datastore/{name}")


def test_a_datastore_being_deleted_keeps_its_mode(lab: Lab, unique_name) -> None:
    client = lab_client(lab.pbs["local"])
    name = unique_name("md")
    client.wait_for_task(client.post("/config/datastore", name=name, path=f"/tankc/{name}"))
    client.put(f"/config/datastore/{name}", **{"maintenance-mode": "type=delete"})
    with pytest.raises(ApiError, match="datastore is being deleted"):
        client.put(f"/config/datastore/{name}", delete=["maintenance-mode"])
    with pytest.raises(ApiError, match="datastore is being deleted"):
        client.put(f"/config/datastore/{name}", comment="x", **{"maintenance-mode": "offline"})
    after = client.get(f"/config/datastore/{name}")
    assert after["maintenance-mode"] == "delete" and "comment" not in after
