"""The QEMU guest agent through PVE (``/nodes/{node}/qemu/{vmid}/agent/…``).

qemu-server ``API2/Qemu/Agent.pm``: ``ping`` (POST) and ``network-get-interfaces`` (GET)
answer ``{"result": …}``; ``exec`` (POST, ``command`` an array of program + arguments) starts
a process and answers ``{"pid": n}``; ``exec-status`` (GET, ``pid``) answers ``exited`` (0/1),
``exitcode``, ``out-data``/``err-data`` (decoded). Before the agent runs, every call fails
with a 500: "No QEMU guest agent configured", "VM <vmid> is not running" or "QEMU guest agent
is not running" (``QemuServer/Agent.pm`` ``assert_agent_available``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from tappaas.client import ArrayParam, ProxmoxClient


@dataclass(frozen=True)
class ExecStatus:
    """A process started through the agent: running, or its exit code and output."""

    exited: bool
    exitcode: int | None = None
    out: str = ""
    err: str = ""


class AgentApi:
    """Typed calls to the guest agent of one VM at a time."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    @staticmethod
    def _base(node: str, vmid: int) -> str:
        return f"/nodes/{node}/qemu/{vmid}/agent"

    def ping(self, node: str, vmid: int) -> None:
        """Returns when the agent answers (raises ``ApiError`` while it does not)."""
        self.client.post(f"{self._base(node, vmid)}/ping")

    def exec(self, node: str, vmid: int, command: Sequence[str]) -> int:
        """Start ``command`` in the guest; returns its pid."""
        data = self.client.post(f"{self._base(node, vmid)}/exec", command=ArrayParam(command))
        return int(data["pid"])

    def exec_status(self, node: str, vmid: int, pid: int) -> ExecStatus:
        data = self.client.get(f"{self._base(node, vmid)}/exec-status", pid=pid) or {}
        exitcode = data.get("exitcode")
        return ExecStatus(
            exited=bool(data.get("exited")),
            exitcode=int(exitcode) if exitcode is not None else None,
            out=str(data.get("out-data") or ""),
            err=str(data.get("err-data") or ""),
        )

    def ipv4_addresses(self, node: str, vmid: int) -> list[str]:
        """The guest's IPv4 addresses, loopback excluded (``network-get-interfaces``)."""
        data = self.client.get(f"{self._base(node, vmid)}/network-get-interfaces") or {}
        found = []
        for interface in data.get("result") or []:
            for address in interface.get("ip-addresses") or []:
                text = str(address.get("ip-address", ""))
                ipv4 = address.get("ip-address-type") == "ipv4" and text
                if ipv4 and not ipaddress.ip_address(text).is_loopback:
                    found.append(text)
        return found
