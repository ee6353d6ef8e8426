"""The lab file: how clients (and the lab stack files) find a running lab.

A JSON document (mode 0600: it holds credentials) listing every endpoint with its address,
pinned fingerprint and root credentials, the unused disks of every node (so a stack can put
its ZFS pools on disks the lab has), and the lab CA's certificate file, written beside it, for
clients that verify TLS by CA rather than by pin (``SSL_CERT_FILE``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from lab.lab import Lab

LAB_FILE_MODE = 0o600


def ca_file_of(lab_file: Path) -> Path:
    """Where the lab CA's certificate is written: ``lab-ca.pem`` beside ``lab.json``."""
    return lab_file.with_name(f"{lab_file.stem}-ca.pem")


def free_disks(lab: Lab) -> dict[str, dict[str, list[str]]]:
    """Unused disks per cluster endpoint name and node."""
    return {
        name: {
            node.name: [d.devpath for d in node.disks.values() if d.used is None]
            for node in cluster.nodes.values()
        }
        for name, cluster in lab.clusters_state().items()
    }


def write_lab_file(path: Path, lab: Lab, pid: int) -> None:
    """Write the lab file (created with its final mode) and the CA certificate beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ca_file = ca_file_of(path)
    ca_file.write_bytes(lab.ca_pem)
    payload: dict[str, Any] = {
        "pid": pid,
        "started": int(time.time()),
        "notes": lab.notes,
        "ca_file": str(ca_file.resolve()),
        "control_token": lab.pve.token_secret,
        "endpoints": [e.to_dict() for e in lab.endpoints()],
        "disks": free_disks(lab),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, LAB_FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2)
    os.chmod(path, LAB_FILE_MODE)
