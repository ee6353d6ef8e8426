"""Labs configured like the prod example (with a drill section) for status and drill tests.

The lab's admin tokens stand for the stack's tokens (``lab.scenarios.site`` configures the
lab as the program would); status and drills talk to it over HTTPS through our client.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import SecretStr

from lab import Endpoint
from lab.control.request_log import RequestRecord
from lab.scenarios import SiteLab, start_site_lab
from tappaas.client import ConnectionSettings, Product, ProxmoxClient
from tappaas.drill import Drill, DrillOptions
from tappaas.health import PeerView
from tappaas.model import SiteConfig, load_site_config
from tappaas.observe import PeerAccess, Sources
from tests.model.sites import example

HELPER_VMID = 120
DRILL = {
    "bridge": "vmbr99",
    "vlan": 999,
    "probe_helper": {"vmid": HELPER_VMID, "node": "tappaas1"},
    "probes": {
        "nextcloud": [
            {"agent": True},
            {"exec": ["systemctl", "is-active", "nextcloud"]},
            {"tcp": 443},
            {"http": "/status.php", "port": 443, "https": True},
        ],
        "logging": [],
    },
}
REALISTIC = {"restore_bytes_per_second": 500 * 1024**2, "guest_boot_seconds": 30.0}
"""Restores at 500 MiB/s and 30 s boots: a 32 GiB service is healthy in about a minute."""
POLL_SECONDS = 5.0
VMID = re.compile(r"/qemu/(\d+)(?:/|$)")


def site_with(drill: dict[str, Any] | None = None, **changes: Any) -> SiteConfig:
    """The prod example with a drill section (``DRILL`` by default) and top-level changes."""
    raw = copy.deepcopy(example("prod"))
    raw["drill"] = copy.deepcopy(DRILL if drill is None else drill)
    raw.update(changes)
    return load_site_config(raw)


def peer_site() -> SiteConfig:
    return load_site_config(example("peer"))


def client(endpoint: Endpoint, token: tuple[str, str] | None = None) -> ProxmoxClient:
    """Our client on a lab endpoint (pinned), with its admin token or ``token``."""
    token_id, secret = token or (endpoint.token_id, endpoint.token_secret)
    return ProxmoxClient(
        ConnectionSettings(
            product=Product(endpoint.product),
            host=endpoint.host,
            port=endpoint.port,
            fingerprint=endpoint.fingerprint,
            token_id=token_id,
            token_secret=SecretStr(secret),
        )
    )


def sources(configured: SiteLab) -> Sources:
    """What ``tappaas status`` reads with: the site's PVE and PBS tokens, the peer's reads."""
    assert configured.reader_token is not None
    lab = configured.lab
    return Sources(
        pve=client(lab.pve),
        local=client(lab.pbs["local"]),
        peer=PeerAccess(PeerView.PULL_READS, reader_token_id=configured.reader_token[0]),
    )


def drill(configured: SiteLab, site: SiteConfig | None = None, **options: Any) -> Drill:
    """A drill whose waiting moves the lab's simulated clock."""
    lab = configured.lab
    options.setdefault("poll_seconds", POLL_SECONDS)
    return Drill(
        site or configured.site,
        lambda: client(lab.pve),
        DrillOptions(**options),
        sleep=lambda seconds: lab.control.advance(seconds=seconds),
    )


@contextmanager
def site_lab(site: SiteConfig, days: int = 3, **lab: Any) -> Iterator[SiteLab]:
    """A configured lab after ``days`` of nightly backups and pulls (noon of the last day)."""
    configured = start_site_lab(site, peer_site(), **lab)
    try:
        configured.lab.control.advance(days=days, hours=12)
        yield configured
    finally:
        configured.lab.stop()


def production_writes(records: list[RequestRecord], site: SiteConfig) -> list[RequestRecord]:
    """Writes that touch anything but a drill VM (or run a command in the probe helper)."""
    bad = []
    helper = site.drill.probe_helper
    for record in records:
        if not record.is_write:
            continue
        if record.instance != "pve":
            bad.append(record)
            continue
        match = VMID.search(record.path)
        vmid = int(match.group(1)) if match else int(record.params.get("vmid", 0))
        helper_exec = helper is not None and vmid == helper.vmid and record.path.endswith("/exec")
        if not (site.drill.in_range(vmid) or helper_exec):
            bad.append(record)
    return bad
