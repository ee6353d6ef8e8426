"""Running a service's probes against a drilled VM, through the PVE API only.

- agent: ``ping`` answers;
- exec: the command, started through the agent, exits 0 (``exec`` then ``exec-status``);
- tcp / http: run *from the probe helper* (a VM on the drill network) through its own agent:
  ``nc -z -w 5 <host> <port>`` must exit 0, ``curl … -w %{http_code}`` must print the expected
  status. The host is the probe's ``host`` or the drilled guest's first IPv4 address as its
  agent reports it. Nothing is sent to the drilled VM from this machine's network.

A probe that does not pass yet returns why; the runner retries until the drill's deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tappaas.client import ApiError, ProxmoxError
from tappaas.model import AgentProbe, ExecProbe, HttpProbe, Probe, ProbeHelper, TcpProbe
from tappaas.pve.agent import AgentApi

PROBE_CONNECT_SECONDS = 5
EXEC_POLLS = 30


def describe(probe: Probe) -> str:
    """How a probe reads in reports: ``agent ping``, ``exec systemctl is-active x`` …"""
    if isinstance(probe, AgentProbe):
        return "agent ping"
    if isinstance(probe, ExecProbe):
        return "exec " + " ".join(probe.exec)
    if isinstance(probe, TcpProbe):
        return f"tcp {probe.host or 'guest'}:{probe.tcp}"
    scheme = "https" if probe.https else "http"
    return f"{scheme} {probe.host or 'guest'}:{probe.port}{probe.http} = {probe.status}"


def tcp_command(host: str, port: int) -> list[str]:
    return ["nc", "-z", "-w", str(PROBE_CONNECT_SECONDS), host, str(port)]


def http_command(probe: HttpProbe, host: str) -> list[str]:
    scheme = "https" if probe.https else "http"
    url = f"{scheme}://{host}:{probe.port}{probe.http}"
    insecure = ["-k"] if probe.https else []
    timeout = ["--max-time", str(PROBE_CONNECT_SECONDS)]
    return ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *timeout, *insecure, url]


@dataclass(frozen=True)
class Attempt:
    """One try of a probe: passed, or why not (yet)."""

    passed: bool
    detail: str


class ProbeRunner:
    """Probes of one drilled VM (``node``/``vmid``), with an optional helper for tcp/http."""

    def __init__(
        self,
        agent: AgentApi,
        node: str,
        vmid: int,
        helper: ProbeHelper | None,
        sleep: Callable[[float], None],
    ) -> None:
        self.agent = agent
        self.node = node
        self.vmid = vmid
        self.helper = helper
        self.sleep = sleep

    def attempt(self, probe: Probe) -> Attempt:
        """Try ``probe`` once."""
        try:
            if isinstance(probe, AgentProbe):
                self.agent.ping(self.node, self.vmid)
                return Attempt(True, "the agent answered")
            if isinstance(probe, ExecProbe):
                return self._exec(self.node, self.vmid, probe.exec, expect_out=None)
            host = probe.host or self._guest_address()
            if host is None:
                return Attempt(False, "the guest reports no IPv4 address yet")
            assert self.helper is not None  # validated: tcp/http probes need a helper
            if isinstance(probe, TcpProbe):
                command = tcp_command(host, probe.tcp)
                return self._exec(self.helper.node, self.helper.vmid, command, expect_out=None)
            command = http_command(probe, host)
            return self._exec(
                self.helper.node, self.helper.vmid, command, expect_out=str(probe.status)
            )
        except ApiError as error:
            return Attempt(False, error.message.strip())
        except ProxmoxError as error:
            return Attempt(False, str(error))

    def _guest_address(self) -> str | None:
        addresses = self.agent.ipv4_addresses(self.node, self.vmid)
        return addresses[0] if addresses else None

    def _exec(
        self, node: str, vmid: int, command: Sequence[str], expect_out: str | None
    ) -> Attempt:
        pid = self.agent.exec(node, vmid, command)
        for _ in range(EXEC_POLLS):
            status = self.agent.exec_status(node, vmid, pid)
            if status.exited:
                out = status.out.strip()
                if status.exitcode != 0:
                    detail = (status.err or status.out).strip()
                    return Attempt(
                        False, f"exit {status.exitcode}" + (f": {detail}" if detail else "")
                    )
                if expect_out is not None and out != expect_out:
                    return Attempt(False, f"got {out or 'nothing'}, expected {expect_out}")
                return Attempt(True, f"exit 0{f' ({out})' if out else ''}")
            self.sleep(1.0)
        return Attempt(False, f"{command[0]} still running after {EXEC_POLLS} polls")
