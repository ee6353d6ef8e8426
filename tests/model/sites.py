"""Raw site configs for tests: the example stacks and a small valid site to mutate."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tappaas.model import CONFIG_KEY, ConfigError, SiteConfig, load_site_config

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_STACKS = ("prod", "peer", "single", "cloud")


def fingerprint(seed: int) -> str:
    return ":".join(f"{(seed + i) % 256:02X}" for i in range(32))


def example(stack: str) -> dict[str, Any]:
    """The ``tappaas:site`` mapping of ``Pulumi.<stack>.yaml``."""
    document = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())
    site: dict[str, Any] = document["config"][CONFIG_KEY]
    return site


def token(name: str, secret: str) -> dict[str, Any]:
    return {"token_id": name, "token_secret": {"secret": secret}}


def small_site(nodes: int = 3) -> dict[str, Any]:
    """A valid site: ``nodes`` nodes, tanka1 mirrored everywhere, tankb1 bulk, tankc1 backup on
    the last node, services ``web`` (high, on n1) and ``db`` (high, on n2), a local PBS and a
    peer stack."""
    names = [f"tappaas{i}" for i in range(1, nodes + 1)]
    return {
        "name": "test",
        "cluster": {
            "api": {
                "address": "127.0.0.1:18006",
                "fingerprint": fingerprint(1),
                "api_token": token("tappaas@pve!pulumi", "pveApiToken"),
            }
        },
        "nodes": {
            n: {"address": f"10.0.0.{i}", "fingerprint": fingerprint(i)}
            for i, n in enumerate(names, 1)
        },
        "datapools": {
            "tanka1": {
                "role": "important",
                "devices": {n: [f"/dev/{n}-a", f"/dev/{n}-b"] for n in names},
            },
            "tankb1": {"role": "bulk", "devices": {n: [f"/dev/{n}-bulk"] for n in names}},
            "tankc1": {"role": "backup", "devices": {names[-1]: [f"/dev/{names[-1]}-backup"]}},
        },
        "services": {
            "web": {"vmid": 100, "node": names[0]},
            "db": {"vmid": 101, "node": names[1 % nodes]},
        },
        "backup": {
            "pbs": {
                "node": names[-1],
                "address": "127.0.0.1:18007",
                "fingerprint": fingerprint(9),
                "api_token": token("tappaas@pbs!pulumi", "pbsApiToken"),
            },
            "encryption": {"key": {"secret": "pbsEncryptionKey"}},
        },
        "remote": {"peer_stack": "organization/tappaas/peer"},
    }


def load(raw: dict[str, Any]) -> SiteConfig:
    return load_site_config(copy.deepcopy(raw))


def issues_of(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """``(path, message)`` of every issue; fails if the config is valid."""
    try:
        load(raw)
    except ConfigError as error:
        return [(issue.path, issue.message) for issue in error.issues]
    raise AssertionError("expected the config to be rejected")


WG_PUBLIC_KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="


def cloud_site(provider: str = "gcp") -> dict[str, Any]:
    """``small_site`` as a cloud-recovery stack: it rents a host and restores web and db
    from the peer's copy (read with a reader token and the site's key)."""
    raw = small_site()
    raw["role"] = "cloud-recovery"
    del raw["backup"]
    raw["remote"] = {
        "address": "10.20.0.11:8007",
        "fingerprint": fingerprint(7),
        "datastore": "tappaas_backup",
        "credential": token("tappaas-peer@pbs!pull", "peerReaderToken"),
    }
    raw["recovery"] = {
        "methods": ["cloud"],
        "restore_order": ["db"],
        "encryption_key": {"secret": "pbsEncryptionKey"},
    }
    hosts = {
        "gcp": {
            "project": "tappaas-dr",
            "region": "europe-west4",
            "zone": "europe-west4-a",
            "size": "n2-standard-8",
        },
        "aws": {"region": "eu-central-1", "zone": "eu-central-1a", "size": "m8i.2xlarge"},
        "existing": {"address": "203.0.113.20:8006"},
    }[provider]
    raw["cloud"] = {
        "provider": provider,
        **hosts,
        "admin_cidrs": ["198.51.100.7/32"],
        "fingerprint": fingerprint(11),
        "peer_uplink_mbps": 50,
        "wireguard": {
            "endpoint": "peer.example.org:51820",
            "peer_public_key": WG_PUBLIC_KEY,
            "address": "10.99.0.2/32",
        },
    }
    if provider == "existing":
        del raw["cloud"]["wireguard"]
    return raw
