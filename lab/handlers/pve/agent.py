"""PVE ``/nodes/{node}/qemu/{vmid}/agent/…``: the guest agent calls drills probe with.

qemu-server ``API2/Qemu/Agent.pm``: ``ping`` (POST) and ``network-get-interfaces`` (GET)
answer ``{"result": …}``; ``exec`` (POST; ``command``: program and arguments) answers
``{"pid": n}``; ``exec-status`` (GET ``pid``) answers ``exited`` 0/1, ``exitcode``,
``out-data``/``err-data`` (decoded, as ``qemu_exec_status`` does). Every call first asserts the
agent (``QemuServer/Agent.pm`` ``assert_agent_available``): "No QEMU guest agent configured",
"VM <vmid> is not running", "QEMU guest agent is not running" (500s). What a guest does with
a command is ``behaviour.guest_agent``; who answers on the network is ``sim.pve.guests``.
Commands end at once; an unknown pid is the agent's "Invalid parameter 'pid'" error.
"""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.behaviour.guest_agent import run_command
from lab.errors import pve_die
from lab.handlers.pve.nodes import node_of
from lab.sim.pve.guests import agent_problem, guest_address, reachable
from lab.state.pve import PveCluster, Vm

ROUTES = RouteTable()
PveCall = Call[PveCluster]
AGENT = "/nodes/{node}/qemu/{vmid}/agent"
SPEC = "node:pve-node vmid:pve-vmid"


def _agent_vm(call: PveCall) -> Vm:
    """The VM, with an agent that answers now (else PVE's error)."""
    node = node_of(call)
    vmid = int(call.param("vmid"))
    vm = call.state.vms.get(vmid)
    if vm is None or vm.node != node.name:
        raise pve_die(
            f"Configuration file 'nodes/{node.name}/qemu-server/{vmid}.conf' does not exist"
        )
    problem = agent_problem(call.services.world, vm)
    if problem is not None:
        raise pve_die(problem)
    return vm


@ROUTES.route("POST", f"{AGENT}/ping", SPEC)
def ping(call: PveCall) -> dict[str, Any]:
    """``guest-ping``: an empty result."""
    _agent_vm(call)
    return {"result": {}}


@ROUTES.route("GET", f"{AGENT}/network-get-interfaces", SPEC)
def interfaces(call: PveCall) -> dict[str, Any]:
    """Loopback and one interface with the guest's address."""
    vm = _agent_vm(call)
    loopback = {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8}
    address = {"ip-address": guest_address(vm), "ip-address-type": "ipv4", "prefix": 24}
    return {
        "result": [
            {"name": "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [loopback]},
            {"name": "eth0", "hardware-address": "bc:24:11:00:00:01", "ip-addresses": [address]},
        ]
    }


@ROUTES.route("POST", f"{AGENT}/exec", f"{SPEC} command:array input-data?:string")
def execute(call: PveCall) -> dict[str, Any]:
    """``guest-exec``: run the command (at once) and hand out its pid."""
    vm = _agent_vm(call)
    command = call.param("command")
    argv = [str(part) for part in (command if isinstance(command, list) else [command])]
    world = call.services.world
    result = run_command(argv, lambda host: reachable(world, vm, host))
    pid = 1000 + len(vm.agent_runs)
    vm.agent_runs[pid] = result
    return {"pid": pid}


@ROUTES.route("GET", f"{AGENT}/exec-status", f"{SPEC} pid:integer")
def exec_status(call: PveCall) -> dict[str, Any]:
    """``guest-exec-status``: exited with its code and output."""
    vm = _agent_vm(call)
    result = vm.agent_runs.get(int(call.param("pid")))
    if result is None:
        raise pve_die("Agent error: Invalid parameter 'pid'")
    out: dict[str, Any] = {"exited": 1, "exitcode": result.exitcode}
    if result.out:
        out["out-data"] = result.out
    if result.err:
        out["err-data"] = result.err
    return out
