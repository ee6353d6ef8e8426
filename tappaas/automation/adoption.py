"""Adoption: bring the objects a stack declares, and that already exist, under its management.

Why not ``ResourceOptions(import_=…)``: the engine imports by calling the provider's Read
with the id alone, and Python dynamic providers cannot serve that call (the provider is
found through the ``__provider`` input, which an import does not carry: pulumi/pulumi#16175,
``KeyError: '__provider'``, reproduced with this engine). So the adoption reads each live
object itself, with the same provider code a refresh runs (``observe``), and hands the engine
a planned import (``pulumi import --file``) carrying the declared inputs and the live
outputs: the engine records them without calling Read. The next ``up`` then diffs declared
against live as always: differences become updates, never creates; and the engine refuses to
replace an imported resource in that ``up`` only if its id was given, so the adoption itself
refuses to import any object whose identity (a replace) differs, and it never imports a
data-bearing object (datastore, namespace) it would have to replace.

What the stack declares comes from the engine: a preview lists every resource still to be
created, with its URN, parent and inputs. Inputs computed from other resources (a token's
id in an ACL) are unknown until those are in the state, so adoption runs in rounds: survey,
import what is known, survey again (targeting only what is left). The rounds always run on
a copy of the state backend, so every difference is reported before the real state changes
at all; applying replays the same imports on the real state.

Resources of the upstream proxmoxve provider (ZFS pools, storage entries, HA, replication,
the vzdump job) are listed, with the id their import would use, but not adopted here: their
provider's own Read serves ``pulumi import`` (see ``UPSTREAM_IMPORT_IDS``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.automation import EngineEvent
from pulumi.dynamic import Config

from providers import PROVIDERS_BY_TYPE, Credentials, Props
from tappaas.automation.stacks import SECRET_SIGNATURE, StackRunner, project_name
from tappaas.client import ProxmoxError

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's marker for a value not known during a preview."""
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_KEY = "__provider"
MAX_ROUNDS = 8
"""Inputs depend on at most a few earlier resources (user → token → ACL); a guard, not a goal."""
UPSTREAM_PACKAGE = "proxmoxve:"
UPSTREAM_IMPORT_IDS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "proxmoxve:node/disk/zfs:Zfs": lambda i: f"{i.get('nodeName')}/{i.get('name')}",
    "proxmoxve:storage/zfspool:Zfspool": lambda i: i.get("resourceId"),
    "proxmoxve:storage/pbs:Pbs": lambda i: i.get("resourceId"),
    "proxmoxve:cluster/options:Options": lambda _: "cluster",
    "proxmoxve:index/haresource:Haresource": lambda i: i.get("resourceId"),
    "proxmoxve:index/harule:Harule": lambda i: i.get("rule"),
    "proxmoxve:index/replication:Replication": lambda i: i.get("resourceId"),
    "proxmoxve:backup/job:Job": lambda i: i.get("resourceId"),
}
"""The id an upstream resource would be imported with (``pulumi import <type> <name> <id>``),
as the pulumi_proxmoxve 8.3.0 SDK documents it (``node/pool`` for a ZFS pool, ``cluster`` for
the options, the job, storage, rule or ``vm:<id>`` resource id otherwise)."""


class Verdict(StrEnum):
    """What adoption does with one declared resource."""

    ADOPT = "adopt"
    """It exists with the same identity: recorded in the state, differences updated by up."""
    CREATE = "create"
    """It does not exist: the next up creates it."""
    BLOCKED = "blocked"
    """It exists with another identity: up would replace it, so it is not adopted."""
    PENDING = "pending"
    """Its inputs depend on resources not adopted yet (known only after they are)."""
    UPSTREAM = "upstream"
    """An upstream proxmoxve resource: its provider's import adopts it, not this program."""
    UNREADABLE = "unreadable"
    """Reading it failed (permissions, a refused call): nothing is assumed."""


@dataclass(frozen=True)
class FieldDifference:
    """One field whose live value is not the declared one."""

    field: str
    live: Any
    declared: Any


@dataclass(frozen=True)
class Survey:
    """One declared resource and what adoption found for it."""

    urn: str
    type: str
    object_id: str | None
    verdict: Verdict
    differences: tuple[FieldDifference, ...] = ()
    notes: tuple[str, ...] = ()
    holds_data: bool = False
    outputs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What the state records for an adopted object: its live outputs."""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass
class AdoptionReport:
    """Every declared resource that is not in the state yet, as adoption left it."""

    stack: str
    applied: bool
    """Whether the imports were made in the stack's real state (not only in the plan)."""
    adopted: list[Survey] = field(default_factory=list)
    remaining: list[Survey] = field(default_factory=list)
    rounds: int = 0

    def by_verdict(self, verdict: Verdict) -> list[Survey]:
        return [s for s in self.remaining if s.verdict is verdict]

    @property
    def blocked(self) -> list[Survey]:
        return self.by_verdict(Verdict.BLOCKED) + self.by_verdict(Verdict.UNREADABLE)


class AdoptionError(RuntimeError):
    """The engine refused an import (its output is in the message)."""


@dataclass(frozen=True)
class _Declared:
    """A resource the preview would create: its URN, type, parent and inputs."""

    urn: str
    type: str
    parent: str
    inputs: dict[str, Any]
    custom: bool


def adopt(runner: StackRunner, *, apply: bool) -> AdoptionReport:
    """Plan the adoption in rounds on a copy of the state backend; with ``apply`` (and
    nothing blocked), replay the same imports on the stack's real state."""
    with _scratch(runner) as scratch:
        credentials = _credentials(scratch)
        report = AdoptionReport(runner.stack_name, applied=False)
        adopted: dict[str, Survey] = {}
        documents: list[dict[str, Any]] = []
        targets: list[str] | None = None
        for round_number in range(1, MAX_ROUNDS + 1):
            declared = _declared(scratch, targets)
            surveys = [_survey(item, credentials) for item in declared if item.custom]
            report.remaining = [s for s in surveys if s.urn not in adopted]
            report.rounds = round_number
            ready = [s for s in report.remaining if s.verdict is Verdict.ADOPT]
            if report.blocked or not ready:
                break
            document = _import_document(ready, declared)
            _run_import(scratch, document)
            documents.append(document)
            adopted.update({s.urn: s for s in ready})
            report.remaining = [s for s in report.remaining if s.urn not in adopted]
            targets = [item.urn for item in declared if item.urn not in adopted]
        report.adopted = list(adopted.values())
    if apply and not report.blocked:
        runner.stack  # noqa: B018  (creates the stack in the real backend if it is new)
        for document in documents:
            _run_import(runner, document)
        report.applied = True
    return report


@contextmanager
def _scratch(runner: StackRunner) -> Iterator[StackRunner]:
    """The stack on a copy of its state backend: a plan leaves the real state untouched."""
    with tempfile.TemporaryDirectory(prefix="tappaas-adopt-") as scratch:
        copy = Path(scratch) / "state"
        if runner.backend_dir.exists():
            shutil.copytree(runner.backend_dir, copy)
        yield replace(runner, backend_dir=copy, _stack=None)


def _credentials(runner: StackRunner) -> Credentials:
    """The stack's config, secrets decrypted: what ``configure()`` hands our providers."""
    values = {key: item.value for key, item in runner.stack.get_all_config().items()}
    return Credentials(Config(values, project_name(runner.project_dir)))


def _revealing(program: Callable[[], None]) -> Callable[[], None]:
    """``program`` with the secret flag taken off our resources' inputs, write-only ones
    (passwords) excepted, for the plan's preview only: the engine masks secret values in its
    events, and adoption needs the declared values (an endpoint read from a peer stack's
    secret output) to find and compare the live object. Nothing of this run is stored."""

    def reveal(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        provider = PROVIDERS_BY_TYPE.get(args.type_)
        if provider is None:
            return None
        hidden = provider.props_type.write_only
        props = {
            key: value
            if key in hidden or key == PROVIDER_KEY
            else pulumi.Output.unsecret(pulumi.Output.from_input(value))
            for key, value in args.props.items()
        }
        return pulumi.ResourceTransformResult(props=props, opts=args.opts)

    def revealed() -> None:
        pulumi.runtime.register_resource_transform(reveal)
        program()

    return revealed


def _declared(runner: StackRunner, targets: list[str] | None) -> list[_Declared]:
    """Every resource a preview would create (not in the state yet), from its events.

    After a round of imports, only what is still to adopt is targeted: the adopted
    resources then stay as imported (the engine does not diff untargeted resources), so the
    values computed from them (a token's id, a remote's id) are known to their dependents,
    even where the first up will update them."""
    events: list[EngineEvent] = []
    revealing = replace(runner, program=_revealing(runner.program), _stack=None)
    revealing.stack.preview(on_event=events.append, target=targets)
    found = []
    for event in events:
        pre = event.resource_pre_event
        if pre is None or pre.metadata.op.value != "create" or pre.metadata.new is None:
            continue
        new = pre.metadata.new
        if pre.metadata.type == STACK_TYPE or pre.metadata.type.startswith("pulumi:providers:"):
            continue
        found.append(
            _Declared(
                urn=pre.metadata.urn,
                type=pre.metadata.type,
                parent=new.parent or "",
                inputs=dict(new.inputs or {}),
                custom=bool(new.custom),
            )
        )
    return found


def _survey(item: _Declared, credentials: Credentials) -> Survey:
    """Find the live object ``item`` declares and compare the two."""
    if item.type.startswith(UPSTREAM_PACKAGE):
        id_of = UPSTREAM_IMPORT_IDS.get(item.type)
        object_id = id_of(item.inputs) if id_of is not None else None
        return Survey(item.urn, item.type, object_id, Verdict.UPSTREAM)
    provider_type = PROVIDERS_BY_TYPE.get(item.type)
    if provider_type is None:
        return Survey(item.urn, item.type, None, Verdict.UPSTREAM, notes=("not ours",))
    provider = provider_type()
    provider.credentials = credentials
    props_type = provider.props_type
    if _unknown(item.inputs, props_type):
        return Survey(item.urn, item.type, None, Verdict.PENDING, holds_data=props_type.holds_data)
    declared = provider.parse(_known(item.inputs, props_type))
    object_id = provider.object_id(declared)
    try:
        live = provider.observe(provider.client(declared), object_id, declared)
    except ProxmoxError as error:
        return Survey(item.urn, item.type, object_id, Verdict.UNREADABLE, notes=(str(error),))
    holds_data = declared.holds_data
    if live is None:
        return Survey(item.urn, item.type, object_id, Verdict.CREATE, holds_data=holds_data)
    differences = tuple(
        FieldDifference(name, getattr(live, name), getattr(declared, name))
        for name in provider.differences(declared, live)
    )
    notes = _notes(declared, item.inputs)
    if any(d.field in declared.identity for d in differences):
        verdict = Verdict.BLOCKED
    else:
        verdict = Verdict.ADOPT
    outputs = provider.outputs(live, provider.extra_outputs(declared, {}))
    outputs[PROVIDER_KEY] = item.inputs[PROVIDER_KEY]
    return Survey(item.urn, item.type, object_id, verdict, differences, notes, holds_data, outputs)


def _unknown(inputs: Mapping[str, Any], props_type: type[Props]) -> bool:
    """Whether a field needed to find the object is not known yet."""
    skippable = props_type.write_only
    return any(
        UNKNOWN in json.dumps(value) for key, value in inputs.items() if key not in skippable
    )


def _known(inputs: Mapping[str, Any], props_type: type[Props]) -> dict[str, Any]:
    """The inputs as props: write-only values the preview hides are left out (never compared;
    the first up sets them)."""
    return {
        key: value
        for key, value in inputs.items()
        if not (key in props_type.write_only and _hidden(value))
    }


def _hidden(value: Any) -> bool:
    return (isinstance(value, dict) and SECRET_SIGNATURE in value) or UNKNOWN in json.dumps(value)


def _notes(declared: Props, inputs: Mapping[str, Any]) -> tuple[str, ...]:
    """What cannot be compared (a write-only value, declared here or hidden as a secret), and
    what the first up does about it."""
    notes = [
        f"{name}: cannot be read back; the first up sets it"
        for name in sorted(declared.write_only)
        if getattr(declared, name, None) is not None or inputs.get(name) is not None
    ]
    if declared.adoption_note:
        notes.append(declared.adoption_note)
    return tuple(notes)


def _import_document(ready: list[Survey], declared: list[_Declared]) -> dict[str, Any]:
    """The ``pulumi import --file`` document for ``ready`` and their parent components."""
    by_urn = {item.urn: item for item in declared}
    entries: list[dict[str, Any]] = []
    name_table: dict[str, str] = {}
    listed: set[str] = set()

    def reference(urn: str) -> str:
        """An in-file parent by its name, a parent already in the state by its URN."""
        if urn in listed:
            return _name(urn)
        key = f"parent{len(name_table)}"
        name_table[key] = urn
        return key

    def add_component(urn: str) -> None:
        item = by_urn.get(urn)
        if item is None or urn in listed:  # already in the state (or the stack itself)
            return
        add_component(item.parent)
        entry: dict[str, Any] = {"type": item.type, "name": _name(urn), "component": True}
        if not _is_stack(item.parent):
            entry["parent"] = reference(item.parent)
        entries.append(entry)
        listed.add(urn)

    for survey in ready:
        item = by_urn[survey.urn]
        add_component(item.parent)
        props_type = PROVIDERS_BY_TYPE[item.type].props_type
        entry = {
            "type": item.type,
            "name": _name(item.urn),
            "id": survey.object_id,
            "inputs": _known(item.inputs, props_type),
            "outputs": survey.outputs,
        }
        if not _is_stack(item.parent):
            entry["parent"] = reference(item.parent)
        entries.append(entry)
    return {"nameTable": name_table, "resources": entries}


def _is_stack(urn: str) -> bool:
    """Whether ``urn`` is the stack's root resource (the default parent)."""
    parts = urn.split("::")
    return len(parts) < 3 or parts[2] == STACK_TYPE


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _run_import(runner: StackRunner, document: dict[str, Any]) -> None:
    """Run the engine's import in a work dir of its own: the project's name and this stack's
    config file, and the dynamic-provider host on this interpreter's virtualenv (a project
    folder need not hold one)."""
    with tempfile.TemporaryDirectory(prefix="tappaas-import-") as work:
        folder = Path(work)
        project = {
            "name": project_name(runner.project_dir),
            "runtime": {"name": "python", "options": {"virtualenv": sys.prefix}},
        }
        (folder / "Pulumi.yaml").write_text(yaml.safe_dump(project))
        stack_file = runner.project_dir / f"Pulumi.{runner.stack_name}.yaml"
        if stack_file.exists():
            shutil.copy(stack_file, folder / stack_file.name)
        (folder / "import.json").write_text(json.dumps(document))
        done = subprocess.run(
            [
                str(runner.engine.pulumi),
                "import",
                "--file",
                str(folder / "import.json"),
                "--yes",
                "--skip-preview",
                "--generate-code=false",
                "--protect=true",
                "--stack",
                runner.stack_name,
            ],
            cwd=folder,
            env={**os.environ, **runner.env},
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise AdoptionError(f"pulumi import failed:\n{done.stdout}\n{done.stderr}".strip())
