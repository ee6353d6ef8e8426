"""Upstream TAPPaaS files → a ``tappaas:site`` mapping, with the decisions left open (pure).

Upstream's meaning, and what it becomes here:

- ``tappaas-nodes`` → ``nodes`` (in order; the cluster API is the first node's, as upstream's
  scripts talk to "node 0"); the site's name is the first label of ``tappaas.domain``;
- a module with a ``vmid`` whose ``dependsOn`` has ``cluster:vm`` or ``cluster:lxc`` → a
  service (``vmname``, ``node`` — default the first node —, ``storage`` → ``pool``);
  archived modules (no VM) and external ones (not TAPPaaS's) are reported, not imported;
- ``cluster:ha`` → HA on, failover node ``HANode`` (default: the first other node, upstream's
  rule too), the node-affinity rule upstream made (``ha-<module>``, kept so it is taken
  over, not doubled) and replication on, every ``replicationSchedule``; without it both are
  off;
- importance is high for an HA service or one on the important pool, low otherwise;
- ``backup:vm`` (or ``integratesWith``, or the backup module's ``alwaysBackup``) → backed up;
- pools from the storage names in use: ``tanka*`` important, ``tankb*`` bulk, the backup
  module's (``tankc*``) backup, each on the nodes whose services (or their failover nodes,
  or the PBS) use it;
- the backup module → ``backup.pbs`` on its node (``placementState`` ``node:<name>`` first),
  datastore ``pbsStorageName``;
- ``remote-<name>.json`` (a site whose backups this one pulls) → ``peer.guests``.

What no upstream file records becomes a placeholder (``result.PLACEHOLDER``) and a
``Decision``: certificate fingerprints, pool disks, and where this site's off-site copy lives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from tappaas.adopt import upstream_defaults as upstream
from tappaas.adopt.differences import design_differences, kept_retention
from tappaas.adopt.discovery import SKIPPED_BECAUSE, Kind, classify
from tappaas.adopt.errors import WHOLE_FILE, UpstreamError, UpstreamIssue
from tappaas.adopt.fields import (
    CONFIGURATION_FIELDS,
    MODULE_FIELDS,
    PULL_SOURCE_FIELDS,
    RETENTION_KEYS,
    Handling,
)
from tappaas.adopt.result import Conversion, Decision, NotImported, SecretToSet, placeholder
from tappaas.adopt.upstream import (
    Configuration,
    Module,
    PullSource,
    Status,
    UpstreamFile,
    flatten,
    is_comment,
    read_json,
    typed,
)
from tappaas.model.backup import DEFAULT_DATASTORE

ADMIN_TOKEN_ID = "root@pam!tappaas"
"""The API token our program manages PVE and PBS with (``pveum user token add root@pam
tappaas --privsep 0``; ``proxmox-backup-manager user generate-token root@pam tappaas``)."""
PVE_TOKEN_KEY, PBS_TOKEN_KEY, ENCRYPTION_KEY = "pveApiToken", "pbsApiToken", "pbsEncryptionKey"
POOL_ROLES = (("tanka", "important"), ("tankb", "bulk"), ("tankc", "backup"))
"""TAPPaaS's pool naming: important (mirrored), bulk, and backup pools."""
GUEST_KINDS = ("cluster:vm", "cluster:lxc")
HA, BACKUP_VM = "cluster:ha", "backup:vm"
BACKUP_MODULE = "backup"
FOUNDATION_TAG = "Foundation"
NODE_PLACEMENT = "node:"
_P = ParamSpec("_P")
_R = TypeVar("_R")
_Parsed = tuple[UpstreamFile, Module, dict[str, str]]
"""A module file, its typed fields, and where each field was written in it."""


def convert(configuration: Path, modules: Path) -> Conversion:
    """Read ``configuration.json`` and every JSON under ``modules``; ``UpstreamError`` lists
    every problem with them (file and field)."""
    builder = _Builder()
    issues: list[UpstreamIssue] = []
    config = _guarded(issues, read_json, configuration, str(configuration))
    files = _module_files(modules, configuration, issues)
    if config is not None:
        _guarded(issues, builder.read_configuration, config)
    parsed: list[_Parsed] = []
    for file in files:
        kind = classify(file, modules)
        if kind is Kind.MODULE:
            module = _guarded(issues, _module, file)
            if module is not None:
                parsed.append(module)
        elif kind is Kind.PULL_SOURCE:
            source = _guarded(issues, typed, PullSource, file, file.settings())
            if source is not None:
                builder.pull_source(file, source)
        else:
            builder.skip(file.shown, WHOLE_FILE, SKIPPED_BECAUSE[kind])
    if not issues and not parsed:
        issues.append(UpstreamIssue(str(modules), WHOLE_FILE, "holds no module JSON files"))
    if not issues:
        _guarded(issues, builder.modules, parsed)
    if issues:
        raise UpstreamError(issues)
    return builder.result()


def _module_files(
    folder: Path, configuration: Path, issues: list[UpstreamIssue]
) -> list[UpstreamFile]:
    """Every JSON file under ``folder`` but the configuration, shown relative to ``folder``."""
    if not folder.is_dir():
        issues.append(UpstreamIssue(str(folder), WHOLE_FILE, "is not a folder"))
        return []
    skip = configuration.resolve()
    found = []
    for path in sorted(folder.rglob("*.json")):
        if path.is_file() and path.resolve() != skip:
            file = _guarded(issues, read_json, path, path.relative_to(folder).as_posix())
            if file is not None:
                found.append(file)
    return found


def _guarded(
    issues: list[UpstreamIssue], step: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs
) -> _R | None:
    """Run ``step``; collect its ``UpstreamError`` so every file is checked in one run."""
    try:
        return step(*args, **kwargs)
    except UpstreamError as error:
        issues.extend(error.issues)
        return None


def _module(file: UpstreamFile) -> _Parsed:
    values, origins = flatten(file)
    return file, typed(Module, file, values), origins


def pool_role(storage: str) -> str | None:
    """TAPPaaS's role for a pool by its name, or None when the name does not say."""
    return next((role for prefix, role in POOL_ROLES if storage.startswith(prefix)), None)


class _Builder:
    """Accumulates the site mapping and the report while the files are read."""

    def __init__(self) -> None:
        self.site: dict[str, Any] = {}
        self.nodes: dict[str, str] = {}
        self.config_file = ""
        self.decisions: list[Decision] = []
        self.provenance: dict[str, str] = {}
        self.not_imported: list[NotImported] = []
        self.guests: dict[str, Any] = {}
        self.guest_secrets: list[SecretToSet] = []
        self.backup_pool: str | None = None

    # --- recording ------------------------------------------------------------------------

    def put(self, path: str, value: Any, source: str | None = None) -> None:
        """Set ``path`` (dotted) in the site mapping, remembering where the value came from."""
        node = self.site
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
        if source is not None:
            self.provenance[path] = source

    def decide(self, path: str, question: str, source: str, value: Any = None) -> None:
        """A placeholder at ``path`` (or ``value`` holding one) and its ``Decision``."""
        self.put(path, placeholder(question) if value is None else value, source)
        self.decisions.append(Decision(path, question, source))

    def skip(self, file: str, field: str, reason: str) -> None:
        """``field`` of ``file`` (``WHOLE_FILE`` for the file) is not imported, and why."""
        self.not_imported.append(NotImported(file, field, reason))

    def report_fields(
        self, file: str, keys: Iterable[str], table: dict[str, Handling], prefix: str = ""
    ) -> None:
        """Every field that is not mapped: its reason, or ``unknown field``."""
        for key in keys:
            if is_comment(key):
                continue
            handling = table.get(f"{prefix}{key}")
            if handling is None:
                self.skip(file, f"{prefix}{key}", "unknown field: not imported")
            elif handling.reason is not None:
                self.skip(file, f"{prefix}{key}", handling.reason.value)

    # --- configuration.json ---------------------------------------------------------------

    def read_configuration(self, file: UpstreamFile) -> None:
        config = typed(Configuration, file, file.settings())
        self.config_file = file.shown
        settings = file.settings()
        self.report_fields(file.shown, settings.keys() - {"tappaas", "tappaas-nodes"}, {})
        section = settings.get("tappaas", {})
        self.report_fields(file.shown, section, CONFIGURATION_FIELDS, "tappaas.")
        issues = []
        for index, entry in enumerate(settings["tappaas-nodes"]):
            where = f"tappaas-nodes[{index}]"
            fields = entry.keys() if isinstance(entry, dict) else []
            for key in fields:
                handling = CONFIGURATION_FIELDS.get(f"tappaas-nodes.{key}")
                if not is_comment(key) and (handling is None or not handling.mapped):
                    reason = handling.reason.value if handling and handling.reason else None
                    self.skip(file.shown, f"{where}.{key}", reason or "unknown field: not imported")
            node = config.nodes[index]
            if node.hostname in self.nodes:
                issues.append(
                    UpstreamIssue(
                        file.shown, f"{where}.hostname", f"{node.hostname!r} is listed twice"
                    )
                )
            self.nodes[node.hostname] = node.ip
            self.put(f"nodes.{node.hostname}.address", node.ip, f"{file.shown}: {where}.ip")
            self.decide(
                f"nodes.{node.hostname}.fingerprint",
                f"SHA-256 fingerprint of {node.hostname}'s API certificate "
                f"(on {node.hostname}: pvenode cert info)",
                f"{file.shown}: {where}",
            )
        if issues:
            raise UpstreamError(issues)
        count = config.tappaas.node_count
        if count is not None and count != len(config.nodes):
            self.skip(
                file.shown,
                "tappaas.nodeCount",
                f"says {count} nodes but tappaas-nodes lists {len(config.nodes)}: "
                "the listed nodes are imported",
            )
        self._name(config, file.shown)
        self._cluster(file.shown)

    def _name(self, config: Configuration, file: str) -> None:
        domain = config.tappaas.domain or ""
        label = domain.split(".", 1)[0]
        if not label or label.upper().startswith("CHANGE"):
            self.decide(
                "name",
                "the site's name (it also names this site's copy on the peer, remote/<name>)",
                f"{file}: tappaas.domain",
            )
        else:
            self.put("name", label, f"{file}: tappaas.domain")

    def _cluster(self, file: str) -> None:
        first, address = next(iter(self.nodes.items()))
        self.put("cluster.api.address", address, f"{file}: tappaas-nodes[0].ip")
        self.decide(
            "cluster.api.fingerprint",
            f"SHA-256 fingerprint of {first}'s API certificate (the same as "
            f"nodes.{first}.fingerprint; answering that one answers this)",
            f"{file}: tappaas-nodes[0]",
        )
        self.put(
            "cluster.api.api_token",
            {"token_id": ADMIN_TOKEN_ID, "token_secret": {"secret": PVE_TOKEN_KEY}},
        )

    # --- modules --------------------------------------------------------------------------

    def modules(self, parsed: list[_Parsed]) -> None:
        named = self._names(parsed)
        backup = self._backup_module(named)
        always = set(backup[1].always_backup) if backup else set()
        for name in sorted(always - named.keys()):
            assert backup is not None
            self.skip(
                backup[0].shown,
                "alwaysBackup",
                f"{name!r} names no module in the folder (upstream skips it too)",
            )
        services = {}
        for name, (file, module, origins) in named.items():
            self.report_fields(file.shown, _field_keys(file), MODULE_FIELDS)
            if backup is not None and name == backup[2]:
                continue
            if self._is_service(name, file, module):
                services[name] = (file, module, origins)
        pools: dict[str, dict[str, list[str]]] = {}
        for name, service in sorted(services.items(), key=lambda item: item[1][1].vmid or 0):
            self._service(name, service, name in always, pools)
        if backup is not None:
            self._pbs(backup[0], backup[1], backup[3], pools)
        else:
            self._no_pbs()
        self._datapools(pools)
        self._restore_order(services)

    def _names(self, parsed: list[_Parsed]) -> dict[str, _Parsed]:
        """Modules by name (``vmname``, else the file name); vmids and names used once."""
        named: dict[str, _Parsed] = {}
        vmids: dict[int, str] = {}
        issues = []
        for file, module, origins in parsed:
            name = module.vmname or file.path.stem
            if name in named:
                other = named[name][0].shown
                issues.append(UpstreamIssue(file.shown, "vmname", f"{name!r} is also {other}"))
                continue
            if module.vmid is not None and module.status != Status.ARCHIVED:
                if module.vmid in vmids:
                    issues.append(
                        UpstreamIssue(
                            file.shown, "vmid", f"{module.vmid} is also {vmids[module.vmid]}"
                        )
                    )
                vmids.setdefault(module.vmid, file.shown)
            named[name] = (file, module, origins)
            issues += self._node_references(file, module, origins)
        if issues:
            raise UpstreamError(issues)
        return named

    def _node_references(
        self, file: UpstreamFile, module: Module, origins: dict[str, str]
    ) -> list[UpstreamIssue]:
        declared = ", ".join(self.nodes)
        issues = []
        for key, value in (("node", module.node), ("HANode", module.ha_node)):
            if value is not None and value not in self.nodes:
                issues.append(
                    UpstreamIssue(
                        file.shown,
                        origins.get(key, key),
                        f"{value!r} is not a node of {self.config_file} ({declared})",
                    )
                )
        home = module.node or next(iter(self.nodes), None)
        if module.ha_node is not None and module.ha_node == home:
            issues.append(
                UpstreamIssue(
                    file.shown,
                    origins.get("HANode", "HANode"),
                    f"{module.ha_node!r} is the module's own node; HA needs another",
                )
            )
        return issues

    def _backup_module(
        self, named: dict[str, _Parsed]
    ) -> tuple[UpstreamFile, Module, str, dict[str, str]] | None:
        """The module that installs the PBS: ``backup``, or the one naming a PBS datastore."""
        found = [
            (file, module, name, origins)
            for name, (file, module, origins) in named.items()
            if name == BACKUP_MODULE or module.pbs_storage_name is not None
        ]
        if len(found) > 1:
            shown = ", ".join(f[0].shown for f in found)
            raise UpstreamError(
                [UpstreamIssue(found[1][0].shown, "pbsStorageName", f"two backup modules: {shown}")]
            )
        return found[0] if found else None

    def _is_service(self, name: str, file: UpstreamFile, module: Module) -> bool:
        if module.status == Status.ARCHIVED:
            self.skip(
                file.shown, "status", "archived: its VM is gone (its backups stay on the PBS)"
            )
            return False
        if module.status == Status.EXTERNAL:
            self.skip(
                file.shown,
                "status",
                "external: managed outside TAPPaaS; add it under services by hand to protect it",
            )
            return False
        if module.vmid is None:
            self.skip(
                file.shown, WHOLE_FILE, f"module {name!r} has no VM (no vmid): nothing to protect"
            )
            return False
        if not any(module.uses(kind) for kind in GUEST_KINDS):
            self.skip(
                file.shown,
                "dependsOn",
                "no cluster:vm or cluster:lxc: not a guest TAPPaaS created, not imported",
            )
            return False
        return True

    def _service(
        self, name: str, parsed: _Parsed, always: bool, pools: dict[str, dict[str, list[str]]]
    ) -> None:
        file, module, origins = parsed
        shown = file.shown

        def source(field: str) -> str:
            return f"{shown}: {origins.get(field, field)}"

        path = f"services.{name}"
        nodes = list(self.nodes)
        home = module.node or nodes[0]
        storage = module.storage or upstream.DEFAULT_STORAGE
        ha = module.uses(HA) and len(nodes) > 1
        if ha and module.uses("cluster:lxc"):
            self.skip(
                shown,
                "dependsOn",
                "cluster:ha on a container: this program's HA resources are for VMs "
                "(vm:<id>), so HA and replication are left off for it",
            )
            ha = False
        failover = module.ha_node or next((n for n in nodes if n != home), None)
        backed_up = module.uses(BACKUP_VM) or always
        important = ha or pool_role(storage) == "important"
        self.provenance[path] = source("vmname") if module.vmname else f"{shown}: (file name)"
        self.put(f"{path}.vmid", module.vmid, source("vmid"))
        self.put(f"{path}.node", home, source("node") if module.node else f"{shown}: node (unset)")
        self.put(f"{path}.pool", storage, source("storage"))
        self.put(
            f"{path}.importance",
            "high" if important else "low",
            source("dependsOn") if ha else source("storage"),
        )
        if module.description:
            self.put(f"{path}.description", module.description, source("description"))
        self.put(f"{path}.ha.enabled", ha, source("dependsOn"))
        replication: dict[str, Any] = {"enabled": ha}
        if ha:
            self.put(f"{path}.ha.failover_node", failover, source("HANode"))
            rule = upstream.HA_RULE.format(module=file.path.stem)
            self.put(f"{path}.ha.rule", rule, source("dependsOn"))
            replication["schedule"] = (
                module.replication_schedule or upstream.DEFAULT_REPLICATION_SCHEDULE
            )
        self.put(f"{path}.replication", replication, source("replicationSchedule"))
        self.provenance[f"{path}.replication.enabled"] = source("dependsOn")
        if not backed_up:
            self.put(f"{path}.backup.enabled", False, source("dependsOn"))
        on_pool = pools.setdefault(storage, {})
        on_pool.setdefault(home, []).append(source("storage"))
        if ha and failover is not None:
            on_pool.setdefault(failover, []).append(source("HANode"))

    def _pbs(
        self,
        file: UpstreamFile,
        module: Module,
        origins: dict[str, str],
        pools: dict[str, dict[str, list[str]]],
    ) -> None:
        shown = file.shown
        node = module.node
        node_source = f"{shown}: {origins.get('node', 'node')}"
        state = module.placement_state or ""
        if state.startswith(NODE_PLACEMENT):
            node, node_source = state.removeprefix(NODE_PLACEMENT), f"{shown}: placementState"
        elif state:
            self.decide(
                "backup.pbs.node",
                f"the node running the PBS (upstream placement is {state!r}: this program "
                "manages a PBS on one of the cluster's nodes)",
                f"{shown}: placementState",
            )
            node = None
        if node is not None and node not in self.nodes:
            raise UpstreamError(
                [
                    UpstreamIssue(
                        shown, "placementState", f"{node!r} is not a node of {self.config_file}"
                    )
                ]
            )
        if node is None and "backup.pbs.node" not in self.provenance:
            node = next(iter(self.nodes))
            node_source = f"{shown}: node (unset: the first node, as upstream)"
        datastore = module.pbs_storage_name or DEFAULT_DATASTORE
        storage = module.storage or upstream.DEFAULT_STORAGE
        if node is not None:
            self.put("backup.pbs.node", node, node_source)
            self.put("backup.pbs.address", f"{self.nodes[node]}:{upstream.PBS_PORT}", node_source)
            pools.setdefault(storage, {}).setdefault(node, []).append(f"{shown}: storage")
        else:
            self.decide(
                "backup.pbs.address", "the PBS's address (host:8007)", f"{shown}: placementState"
            )
        self.decide(
            "backup.pbs.fingerprint",
            f"SHA-256 fingerprint of the PBS certificate (on {node or 'the PBS'}: "
            "proxmox-backup-manager cert info)",
            f"{shown}: node",
        )
        self.put(
            "backup.pbs.api_token",
            {"token_id": ADMIN_TOKEN_ID, "token_secret": {"secret": PBS_TOKEN_KEY}},
        )
        self.put("backup.pbs.pool", storage, f"{shown}: {origins.get('storage', 'storage')}")
        self.backup_pool = storage
        if datastore != DEFAULT_DATASTORE:
            self.put("backup.pbs.datastore", datastore, f"{shown}: pbsStorageName")
        self.put("backup.schedule", upstream.BACKUP_START)
        self.put("backup.retention", kept_retention())
        self.put("backup.verify", {"verify_new": upstream.VERIFY_NEW})
        self.put("backup.encryption", {"key": {"secret": ENCRYPTION_KEY}})

    def _no_pbs(self) -> None:
        source = "(no backup module among the modules)"
        self.decide("backup.pbs.node", "the node running the site's PBS", source)
        self.decide("backup.pbs.address", "the PBS's address (host:8007)", source)
        self.decide("backup.pbs.fingerprint", "SHA-256 fingerprint of the PBS certificate", source)
        self.decide("backup.pbs.pool", "the datapool holding the PBS datastore", source)
        self.put(
            "backup.pbs.api_token",
            {"token_id": ADMIN_TOKEN_ID, "token_secret": {"secret": PBS_TOKEN_KEY}},
        )
        self.put("backup.encryption", {"key": {"secret": ENCRYPTION_KEY}})

    def _datapools(self, pools: dict[str, dict[str, list[str]]]) -> None:
        for pool, users in sorted(pools.items()):
            role = "backup" if pool == self.backup_pool else pool_role(pool)
            first_source = next(iter(users.values()))[0]
            if role is None:
                self.decide(
                    f"datapools.{pool}.role",
                    f"the role of pool {pool}: important (mirrored), bulk or backup",
                    first_source,
                )
            else:
                self.put(f"datapools.{pool}.role", role, first_source)
            for node in sorted(users, key=list(self.nodes).index):
                layout = "mirror" if role == "important" else "none"
                question = (
                    f"the disks of ZFS pool {pool} on {node} (zpool status {pool}), "
                    f"and datapools.{pool}.redundancy if its layout is not {layout}"
                )
                self.decide(
                    f"datapools.{pool}.devices.{node}",
                    question,
                    "; ".join(sorted(set(users[node]))),
                    value=[placeholder(question)],
                )

    def _restore_order(self, services: dict[str, _Parsed]) -> None:
        foundation = sorted(
            (module.vmid or 0, name, file.shown)
            for name, (file, module, _) in services.items()
            if FOUNDATION_TAG in (module.vmtag or "").split(",")
        )
        if foundation:
            self.put(
                "recovery.restore_order",
                [name for _, name, _ in foundation],
                "; ".join(f"{shown}: vmtag" for _, _, shown in foundation),
            )

    # --- backup module's peers ------------------------------------------------------------

    def pull_source(self, file: UpstreamFile, source: PullSource) -> None:
        """A site whose backups this one pulls: this stack keeps them as a peer."""
        self.report_fields(file.shown, file.settings(), PULL_SOURCE_FIELDS)
        for key in source.retention.keys() - RETENTION_KEYS.keys():
            self.skip(file.shown, f"retention.{key}", "unknown field: not imported")
        path = f"peer.guests.{source.name}"
        secret_key = f"{source.name}ReadToken"
        guest: dict[str, Any] = {
            "address": f"{source.remote_host}:{upstream.PBS_PORT}",
            "datastore": source.remote_store,
            "remote_namespace": source.remote_namespace,
            "remove_vanished": source.remove_vanished,
            "encrypted_only": source.encryption_required,
            "credential": {
                "token_id": source.read_auth_id,
                "token_secret": {"secret": secret_key},
            },
        }
        if source.namespace:
            guest["namespace"] = source.namespace
        if source.pull_schedule:
            guest["schedule"] = source.pull_schedule
        if source.retention:
            guest["retention"] = {
                RETENTION_KEYS[k]: v for k, v in source.retention.items() if k in RETENTION_KEYS
            }
        self.put("role", "peer", f"{file.shown}: type")
        self.put(path, guest, f"{file.shown}: name")
        for key, field in (
            ("address", "remoteHost"),
            ("datastore", "remoteStore"),
            ("remote_namespace", "remoteNamespace"),
            ("namespace", "namespace"),
            ("schedule", "pullSchedule"),
            ("retention", "retention"),
        ):
            self.provenance[f"{path}.{key}"] = f"{file.shown}: {field}"
        self.decide(
            f"{path}.fingerprint",
            f"SHA-256 fingerprint of {source.remote_host}'s PBS certificate",
            f"{file.shown}: remoteHost",
        )
        if not source.read_auth_id:
            self.decide(
                f"{path}.credential.token_id",
                f"the read-only token {source.name} gave us (user@realm!name; "
                "upstream prompts for it at onboarding)",
                f"{file.shown}: readAuthId",
            )
        self.guest_secrets.append(
            SecretToSet(
                secret_key,
                f"the secret of the read-only token {source.name} gave us",
                "from its owner (upstream prompted for it at onboarding)",
            )
        )

    # --- result ---------------------------------------------------------------------------

    def result(self) -> Conversion:
        self.decide(
            "remote.peer_stack",
            "where this site's off-site copy lives: the peer's stack "
            "(organization/tappaas/<stack>), or remote.address, remote.fingerprint and "
            "remote.datastore (and delete remote.peer_stack)",
            "(upstream files never name the PBS that keeps this site's copy)",
        )
        secrets = [
            SecretToSet(
                PVE_TOKEN_KEY,
                f"the secret of PVE API token {ADMIN_TOKEN_ID}",
                "pveum user token add root@pam tappaas --privsep 0",
            ),
            SecretToSet(
                PBS_TOKEN_KEY,
                f"the secret of PBS API token {ADMIN_TOKEN_ID}",
                "proxmox-backup-manager user generate-token root@pam tappaas",
            ),
            SecretToSet(
                ENCRYPTION_KEY,
                "the client-side encryption key (JSON key file; keep a copy off the site)",
                "proxmox-backup-client key create --kdf none encryption-key.json",
            ),
            *self.guest_secrets,
        ]
        datastore = self.site.get("backup", {}).get("pbs", {}).get("datastore", DEFAULT_DATASTORE)
        return Conversion(
            site=self.site,
            decisions=tuple(sorted(self.decisions)),
            secrets=tuple(secrets),
            not_imported=tuple(sorted(set(self.not_imported))),
            differences=design_differences(datastore),
            provenance=dict(self.provenance),
        )


def _field_keys(file: UpstreamFile) -> list[str]:
    """A module's field names as written (the keys inside its ``config`` blocks included)."""
    keys = []
    for key, value in file.settings().items():
        keys.append(key)
        if key == "config" and isinstance(value, dict):
            for block in value.values():
                if isinstance(block, dict):
                    keys += [k for k in block if not is_comment(k)]
    return keys
