"""PVE HA: resources, rules (PVE 9), groups (refused as on PVE 9) and ``status/current``.

On PVE 9 with an empty ``groups.cfg`` every group call, and ``group=`` on a resource, fails
"ha groups have been migrated to rules". Deleting a resource (``purge`` default 1) strips it
from every rule and drops rules left without resources.
"""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ParameterError, pve_die
from lab.handlers.pve.nodes import primary_only
from lab.handlers.sections import pve_check_digest, pve_update
from lab.schema.pve_check import split_list
from lab.sim.pve.ha import HaManager
from lab.state.pve import HaResource, HaRule, PveCluster

ROUTES = RouteTable()
PveCall = Call[PveCluster]
GROUPS_MIGRATED = "ha groups have been migrated to rules"
RESOURCE_OPTIONS = ("state", "max_restart", "max_relocate", "failback", "comment")
RULE_OPTIONS = ("resources", "nodes", "strict", "affinity", "disable", "comment")


def normalize_sid(sid: str) -> str:
    """``100`` → ``vm:100`` (the API accepts bare VMIDs)."""
    return f"vm:{sid}" if sid.isdigit() else sid


def _resource(call: PveCall) -> HaResource:
    sid = normalize_sid(str(call.param("sid")))
    entry = call.state.ha_resources.get(sid)
    if entry is None:
        raise pve_die(f"no such resource '{sid}'")
    return entry


def _resource_item(entry: HaResource, digest: str) -> dict[str, Any]:
    return {"sid": entry.id, "type": entry.type, **entry.options, "digest": digest}


@ROUTES.route("GET", "/cluster/ha/resources", "type?:string")
def list_resources(call: PveCall) -> list[dict[str, Any]]:
    """Configured HA resources."""
    digest = call.state.ha_resources.digest()
    return [_resource_item(e, digest) for e in call.state.ha_resources]


@ROUTES.route(
    "POST",
    "/cluster/ha/resources",
    "sid:pve-ha-resource-or-vm-id state?:string max_restart?:integer max_relocate?:integer "
    "failback?:boolean comment?:string group?:string",
)
def create_resource(call: PveCall) -> None:
    """Put a guest under HA."""
    sid = normalize_sid(str(call.param("sid")))
    if call.param("group") is not None:
        raise pve_die(GROUPS_MIGRATED)
    kind, _, name = sid.partition(":")
    if sid in call.state.ha_resources:
        raise pve_die(f"resource ID '{sid}' already defined")
    if kind == "vm" and (not name.isdigit() or int(name) not in call.state.vms):
        raise pve_die(f"unable to find VM/CT '{name}'")
    options = {k: call.params[k] for k in RESOURCE_OPTIONS if k in call.params}
    call.state.ha_resources.put(HaResource(sid, kind, options))


@ROUTES.route("GET", "/cluster/ha/resources/{sid}", "sid:pve-ha-resource-or-vm-id")
def read_resource(call: PveCall) -> dict[str, Any]:
    """One resource with the file digest."""
    return _resource_item(_resource(call), call.state.ha_resources.digest())


@ROUTES.route(
    "PUT",
    "/cluster/ha/resources/{sid}",
    "sid:pve-ha-resource-or-vm-id delete?:pve-configid-list digest?:string group?:string",
)
def update_resource(call: PveCall) -> None:
    """Change a resource."""
    entry = _resource(call)
    if call.param("group") is not None:
        raise pve_die(GROUPS_MIGRATED)
    pve_check_digest(call.state.ha_resources, call.param("digest"))
    pve_update(entry, call.params, exclude=("sid", "type"), known=(*RESOURCE_OPTIONS, "group"))


@ROUTES.route(
    "DELETE", "/cluster/ha/resources/{sid}", "sid:pve-ha-resource-or-vm-id purge?:boolean"
)
def delete_resource(call: PveCall) -> None:
    """Remove a resource; with ``purge`` (default) also from rules."""
    entry = _resource(call)
    call.state.ha_resources.remove(entry.id)
    if call.param("purge", 1):
        for rule in call.state.ha_rules:
            remaining = [r for r in rule.resources if r != entry.id]
            if not remaining:
                call.state.ha_rules.remove(rule.id)
            elif len(remaining) != len(rule.resources):
                rule.options["resources"] = ",".join(remaining)


def _rule(call: PveCall) -> HaRule:
    rule_id = str(call.param("rule"))
    entry = call.state.ha_rules.get(rule_id)
    if entry is None:
        raise pve_die(f"no such ha rule '{rule_id}'")
    return entry


def _check_rule(call: PveCall, options: dict[str, Any]) -> None:
    for sid in split_list(str(options.get("resources", ""))):
        if normalize_sid(sid) not in call.state.ha_resources:
            raise pve_die(f"cannot use unmanaged resource(s) {normalize_sid(sid)}")
    for item in split_list(str(options.get("nodes", ""))):
        node = item.split(":")[0]
        if node not in call.state.nodes:
            raise pve_die(f"unknown node '{node}'")


def _assert_single_node_affinity(
    call: PveCall, rule_id: str, rule_type: str, options: dict[str, Any]
) -> None:
    """A resource may be in one enabled node-affinity rule only: pve-ha-manager
    ``src/PVE/HA/Rules/NodeAffinity.pm`` ``check_single_resource_reference``, which
    ``src/PVE/API2/HA/Rules.pm`` ``$assert_feasibility`` turns into a refusal of the rule being
    created or updated ("Rule '<id>' is invalid.", 400, with the error per option)."""
    if rule_type != "node-affinity" or options.get("disable"):
        return
    mine = {normalize_sid(s) for s in split_list(str(options.get("resources", "")))}
    for other in call.state.ha_rules:
        if other.id == rule_id or other.type != "node-affinity" or other.options.get("disable"):
            continue
        theirs = {normalize_sid(s) for s in split_list(str(other.options.get("resources", "")))}
        shared = sorted(mine & theirs)
        if shared:
            message = ", ".join(
                f"resource '{sid}' is already used in another node affinity rule" for sid in shared
            )
            raise ParameterError({"resources": message}, f"Rule '{rule_id}' is invalid.\n")


@ROUTES.route("GET", "/cluster/ha/rules", "type?:string resource?:string")
def list_rules(call: PveCall) -> list[dict[str, Any]]:
    """Configured rules."""
    digest = call.state.ha_rules.digest()
    return [
        {"rule": e.id, "type": e.type, **e.options, "digest": digest} for e in call.state.ha_rules
    ]


@ROUTES.route(
    "POST",
    "/cluster/ha/rules",
    "rule:pve-configid type:string resources:string nodes?:string strict?:boolean "
    "affinity?:string disable?:boolean comment?:string",
)
def create_rule(call: PveCall) -> None:
    """Add a node- or resource-affinity rule."""
    rule_id = str(call.param("rule"))
    if rule_id in call.state.ha_rules:
        raise pve_die(f"HA rule '{rule_id}' already defined")
    options = {k: call.params[k] for k in RULE_OPTIONS if k in call.params}
    _check_rule(call, options)
    _assert_single_node_affinity(call, rule_id, str(call.param("type")), options)
    call.state.ha_rules.put(HaRule(rule_id, str(call.param("type")), options))


@ROUTES.route("GET", "/cluster/ha/rules/{rule}", "rule:pve-configid")
def read_rule(call: PveCall) -> dict[str, Any]:
    """One rule with the file digest."""
    entry = _rule(call)
    return {
        "rule": entry.id,
        "type": entry.type,
        **entry.options,
        "digest": call.state.ha_rules.digest(),
    }


@ROUTES.route(
    "PUT",
    "/cluster/ha/rules/{rule}",
    "rule:pve-configid type:string delete?:pve-configid-list digest?:string",
)
def update_rule(call: PveCall) -> None:
    """Change a rule (its type is fixed)."""
    entry = _rule(call)
    if call.param("type") != entry.type:
        raise pve_die(f"rule type '{call.param('type')}' does not match '{entry.type}'")
    pve_check_digest(call.state.ha_rules, call.param("digest"))
    updated = HaRule(entry.id, entry.type, dict(entry.options))
    pve_update(
        updated, call.params, exclude=("rule", "type"), required=("resources",), known=RULE_OPTIONS
    )
    _check_rule(call, updated.options)
    _assert_single_node_affinity(call, entry.id, entry.type, updated.options)
    entry.options = updated.options


@ROUTES.route("DELETE", "/cluster/ha/rules/{rule}", "rule:pve-configid")
def delete_rule(call: PveCall) -> None:
    """Remove a rule."""
    call.state.ha_rules.remove(_rule(call).id)


@ROUTES.route("GET", "/cluster/ha/groups")
def list_groups(call: PveCall) -> None:
    """PVE 9: groups are gone."""
    raise pve_die(GROUPS_MIGRATED)


@ROUTES.route("POST", "/cluster/ha/groups", "group:string nodes:string")
def create_group(call: PveCall) -> None:
    """PVE 9: groups are gone."""
    raise pve_die(GROUPS_MIGRATED)


@ROUTES.route("GET", "/cluster/ha/status/current")
def status_current(call: PveCall) -> list[dict[str, Any]]:
    """Quorum, CRM master, fencing, LRM and service entries (``sim.pve.ha``)."""
    primary_only(call)
    return HaManager(call.services.world).status(int(call.services.clock()))
