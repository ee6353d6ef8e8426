"""Upstream TAPPaaS inputs for the import tests: the shipped examples and a configuration.

``UPSTREAM_SRC`` is upstream's source tree (module JSONs and the field definitions) as shared
with this project. Upstream ships no site's ``configuration.json``, so ``configuration()``
writes one shaped by ``configuration-fields.json``; ``answers()`` decides what the files
cannot say, in the form a user would write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import SHARED
from tests.model.sites import fingerprint

UPSTREAM_SRC = SHARED / "tappaas-upstream" / "src"
MODULE_FIELDS = UPSTREAM_SRC / "foundation" / "module-fields.json"
CONFIGURATION_FIELDS = UPSTREAM_SRC / "foundation" / "configuration-fields.json"
NODES = ("tappaas1", "tappaas2", "tappaas3")
EXAMPLE_SERVICES = {
    "firewall": 110,
    "tappaas-cicd": 130,
    "identity": 140,
    "logging": 150,
    "hass": 210,
    "nextcloud": 340,
    "vaultwarden": 610,
}


def configuration(nodes: int = 3, domain: str = "mytappaas.dev", **site: Any) -> dict[str, Any]:
    """A ``configuration.json`` for ``nodes`` nodes ``tappaas1…``."""
    return {
        "-comment1": "configuration for TAPPaaS",
        "tappaas": {
            "version": "0.5",
            "domain": domain,
            "email": "admin@mytappaas.dev",
            "nodeCount": nodes,
            **site,
        },
        "tappaas-nodes": [
            {"hostname": f"tappaas{i}", "ip": f"10.0.0.{9 + i}"} for i in range(1, nodes + 1)
        ],
    }


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


def answers(nodes: int = 3) -> dict[str, Any]:
    """What a user decides for the shipped examples: fingerprints, pool disks, the peer."""
    return {
        "nodes": {f"tappaas{i}": {"fingerprint": fingerprint(i)} for i in range(1, nodes + 1)},
        "backup": {"pbs": {"fingerprint": fingerprint(50)}},
        "datapools": {
            "tanka1": {
                "devices": {
                    f"tappaas{i}": [f"/dev/disk/by-id/nvme-{i}-a", f"/dev/disk/by-id/nvme-{i}-b"]
                    for i in (1, 2)
                }
            },
            "tankc1": {"devices": {"tappaas3": ["/dev/disk/by-id/ata-backup"]}},
        },
        "remote": {"peer_stack": "organization/tappaas/peer"},
    }
