"""Proxmox task identifiers (UPIDs) in both products' formats.

Why our own parser: proxmoxer's helper only knows the PVE layout. PVE writes
``UPID:node:PID:PSTART:STARTTIME:type:id:user:`` (8 fields); PBS adds a task counter and
systemd-escapes the worker id: ``UPID:node:PID:PSTART:TASKID:STARTTIME:type:id:authid:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from tappaas.client.settings import Product

_PVE = re.compile(
    r"^UPID:(?P<node>[^:]+):(?P<pid>[0-9A-Fa-f]{8}):(?P<pstart>[0-9A-Fa-f]{8,9}):"
    r"(?P<starttime>[0-9A-Fa-f]{8}):(?P<type>[^:]*):(?P<id>[^:]*):(?P<user>[^:]+):$"
)
_PBS = re.compile(
    r"^UPID:(?P<node>[^:]+):(?P<pid>[0-9A-Fa-f]{8}):(?P<pstart>[0-9A-Fa-f]{8,9}):"
    r"(?P<taskid>[0-9A-Fa-f]{8,16}):(?P<starttime>[0-9A-Fa-f]{8}):(?P<type>[^:]*):"
    r"(?P<id>[^:]*):(?P<user>[^:]+):$"
)


def systemd_unescape(text: str) -> str:
    r"""PBS escapes worker ids like systemd unit names (``\x2d`` for ``-``, ``-`` for ``/``)."""
    text = text.replace("-", "/")
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m[1], 16)), text)


@dataclass(frozen=True)
class Upid:
    """A parsed task id: where it runs, what it does, who started it, and when."""

    text: str
    product: Product
    node: str
    worker_type: str
    worker_id: str
    user: str
    start: datetime

    @classmethod
    def parse(cls, text: str, product: Product) -> Upid:
        pattern = _PVE if product is Product.PVE else _PBS
        match = pattern.match(text)
        if not match:
            raise ValueError(f"not a {product.upper()} UPID: {text!r}")
        worker_id = match["id"]
        if product is Product.PBS:
            worker_id = systemd_unescape(worker_id)
        return cls(
            text=text,
            product=product,
            node=match["node"],
            worker_type=match["type"],
            worker_id=worker_id,
            user=match["user"],
            start=datetime.fromtimestamp(int(match["starttime"], 16), tz=UTC),
        )

    @property
    def status_path(self) -> str:
        """Where to poll it: PBS always answers for ``localhost``."""
        node = "localhost" if self.product is Product.PBS else self.node
        return f"/nodes/{node}/tasks/{self.text}/status"

    @property
    def log_path(self) -> str:
        node = "localhost" if self.product is Product.PBS else self.node
        return f"/nodes/{node}/tasks/{self.text}/log"


@dataclass(frozen=True)
class TaskResult:
    """A stopped task: its id, exit status (``OK`` or ``WARNINGS: n``) and how long it ran."""

    upid: Upid
    exitstatus: str
    seconds: float
