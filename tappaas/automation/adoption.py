"""Adoption: bring the objects a stack declares, and that already exist, under its management.

What the stack declares comes from the engine: a preview lists every resource still to be
created, with its URN, parent, provider and inputs. Each one is then looked up on the site
(GET only) and imported into the state with ``pulumi import --file``, in one of two ways:

- **our dynamic resources** (PBS objects, PVE storage entries, replication and backup jobs):
  ``ResourceOptions(import_=…)`` cannot reach them (the engine imports by calling the
  provider's Read with the id alone, and a Python dynamic provider is found through the
  ``__provider`` input, which an import does not carry: pulumi/pulumi#16175, ``KeyError:
  '__provider'``, reproduced with this engine). So adoption reads each live object itself,
  with the provider code a refresh runs (``observe``), compares it with the declared one,
  and hands the engine a planned import with the declared inputs and the live outputs,
  which the engine records without calling Read;
- **the upstream plugin's resources** (ZFS pools, HA resources and rules, cluster options):
  the plugin's own import, with the explicit ``pve`` provider of the stack (its inputs as the
  engine records them, secrets encrypted with the stack's key) and the id its Read expects
  (``adoption_pve``); the engine calls the plugin's Read.

Inputs computed from other resources (a token's id in an ACL) are unknown until those are in
the state, so adoption runs in rounds: survey, import what exists, survey again (targeting
only what is left). Then a preview of the whole stack shows what the first ``up`` will do to
each adopted resource: an update (its differences, reported) or a replace, which blocks the
adoption (a datastore, namespace, pool or storage entry is never replaced; nor is anything
else by an adoption). An object standing where the stack would create its own (an upstream
HA rule holding the same VM, a vzdump job on the same storage) blocks it too, naming the
config key that takes it over. The rounds run on a copy of the state backend, so every
difference is reported before the real state changes at all; applying replays the same
imports on the real state. Nothing on the site is written by an adoption.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.automation import EngineEvent
from pulumi.dynamic import Config
from pulumi.runtime.rpc import is_rpc_secret, unwrap_rpc_secret, wrap_rpc_secret

from providers import PROVIDERS_BY_TYPE, Credentials, Endpoint, Props
from tappaas.automation.adoption_pve import PLUGIN_TYPES, ExistingObjects, in_the_way
from tappaas.automation.stacks import SECRET_SIGNATURE, StackRunner, project_name
from tappaas.client import Product, ProxmoxError
from tappaas.components.connection import endpoint_input
from tappaas.model import SiteConfig

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's marker for a value not known during a preview."""
SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270"
"""The value beside ``SECRET_SIGNATURE`` that marks a secret in state and import files."""
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
PROVIDER_KEY = "__provider"
MAX_ROUNDS = 8
"""Inputs depend on at most a few earlier resources (user → token → ACL); a guard, not a goal."""
NEW = frozenset({"create", "import"})
"""Steps of a resource not in the state: a create, or the program's own import of an upstream
object that exists (``providers.upstream_adoption``)."""
REPLACING = frozenset({"replace", "create-replacement", "delete-replaced", "discard-replaced"})


class Verdict(StrEnum):
    """What adoption does with one declared resource."""

    ADOPT = "adopt"
    """It exists with the same identity: recorded in the state, differences updated by up."""
    CREATE = "create"
    """It does not exist: the next up creates it."""
    BLOCKED = "blocked"
    """It exists with another identity: up would replace it, so it is not adopted."""
    IN_THE_WAY = "in the way"
    """It does not exist, but another object stands where up would create it."""
    PENDING = "pending"
    """Its inputs depend on resources not adopted yet (known only after they are)."""
    UNREADABLE = "unreadable"
    """Reading it failed (permissions, a refused call): nothing is assumed."""


STOPS_ADOPTION = frozenset({Verdict.BLOCKED, Verdict.IN_THE_WAY, Verdict.UNREADABLE})


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
    outputs: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    """What the state records for an adopted object of ours: its live outputs (None for the
    plugin's resources, whose own Read supplies them)."""

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
    first_up: Counter[str] = field(default_factory=Counter)
    """What the first up would do to the stack's resources after the adoption, by operation
    (``same``, ``update``, ``create``, …): the preview of the adopted state."""

    def by_verdict(self, verdict: Verdict) -> list[Survey]:
        return [s for s in self.adopted + self.remaining if s.verdict is verdict]

    @property
    def blocked(self) -> list[Survey]:
        return [s for s in self.adopted + self.remaining if s.verdict in STOPS_ADOPTION]


class AdoptionError(RuntimeError):
    """The engine refused an import (its output is in the message)."""


@dataclass(frozen=True)
class _Declared:
    """A resource the preview would create: its URN, type, parent, provider and inputs."""

    urn: str
    type: str
    parent: str
    inputs: dict[str, Any]
    custom: bool
    provider: str
    """The URN of its provider (explicit or default), empty for a component."""

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)


def adopt(runner: StackRunner, site: SiteConfig, *, apply: bool) -> AdoptionReport:
    """Plan the adoption in rounds on a copy of the state backend; with ``apply`` (and
    nothing blocked), replay the same imports on the stack's real state."""
    with _scratch(runner) as scratch:
        credentials = _credentials(scratch)
        api = site.cluster.api
        pve = Endpoint.model_validate(endpoint_input(Product.PVE, api, api.api_token))
        existing = ExistingObjects(credentials.client(pve))
        providers: Captured = {}
        report = AdoptionReport(runner.stack_name, applied=False)
        adopted: dict[str, Survey] = {}
        documents: list[dict[str, Any]] = []
        targets: list[str] | None = None
        for round_number in range(1, MAX_ROUNDS + 1):
            plan = _declared(scratch, targets, providers)
            surveys = [
                _survey(item, credentials, existing, site)
                for item in plan
                if item.custom and not item.is_provider
            ]
            report.remaining = [s for s in surveys if s.urn not in adopted]
            report.rounds = round_number
            ready = [s for s in report.remaining if s.verdict is Verdict.ADOPT]
            if report.blocked or not ready:
                break
            round_documents, imported = _import_documents(ready, plan, providers)
            for document in round_documents:
                _run_import(scratch, document)
            documents += round_documents
            adopted.update({s.urn: s for s in ready})
            report.remaining = [s for s in report.remaining if s.urn not in adopted]
            targets = [item.urn for item in plan if item.urn not in imported]
        if adopted and not report.blocked:
            verified, report.first_up = _first_up(scratch, adopted)
            adopted.update(verified)
        report.adopted = list(adopted.values())
    if apply and not report.blocked and documents:
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


Captured = dict[tuple[str, str], dict[str, Any]]
"""Explicit providers' inputs as the program gave them, by (type, name)."""


def _revealing(program: Callable[[], None], providers: Captured) -> Callable[[], None]:
    """``program`` with the secret flag taken off our resources' inputs, write-only ones
    (passwords) excepted, for the plan's previews only: the engine masks secret values in its
    events, and adoption needs the declared values (an endpoint read from a peer stack's
    secret output) to find and compare the live object. Nothing of this run is stored. The
    explicit providers' inputs are kept aside (secrets still marked), for an import that
    must create a provider in the state."""

    async def reveal(
        args: pulumi.ResourceTransformArgs,
    ) -> pulumi.ResourceTransformResult | None:
        if args.type_.startswith(PROVIDER_TYPE_PREFIX):
            providers[(args.type_, args.name)] = {
                key: await _resolved(value) for key, value in args.props.items()
            }
            return None
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


async def _resolved(value: Any) -> Any:
    """A program value with its Outputs resolved, secrets wrapped as the engine marks them."""
    if isinstance(value, pulumi.Output):
        resolved = await _resolved(await value.future(with_unknowns=True))
        return wrap_rpc_secret(resolved) if await value.is_secret() else resolved
    if isinstance(value, dict) and not is_rpc_secret(value):
        return {key: await _resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [await _resolved(item) for item in value]
    return value


def _preview_events(
    runner: StackRunner, targets: list[str] | None, providers: Captured | None = None
) -> list[EngineEvent]:
    events: list[EngineEvent] = []
    program = _revealing(runner.program, {} if providers is None else providers)
    revealing = replace(runner, program=program, _stack=None)
    revealing.stack.preview(on_event=events.append, target=targets)
    return events


def _provider_entry(item: _Declared, providers: Captured) -> dict[str, Any]:
    """The import entry creating an explicit provider: its type, plugin version and inputs,
    secrets marked so the engine encrypts them in the state (the import file lives in a
    private temporary folder for the duration of the import only)."""
    inputs = providers.get((item.type, _name(item.urn)))
    if inputs is None:
        raise AdoptionError(f"the program declares no provider {item.urn}")
    package = item.type.removeprefix(PROVIDER_TYPE_PREFIX)
    return {
        "type": item.type,
        "version": metadata.version(f"pulumi-{package}"),
        "inputs": {key: _for_import(value, item.urn) for key, value in inputs.items()},
    }


def _for_import(value: Any, urn: str) -> Any:
    """A program value in an import file's form (a secret as ``plaintext`` JSON)."""
    if is_rpc_secret(value):
        plain = _for_import(unwrap_rpc_secret(value), urn)
        return {SECRET_SIGNATURE: SECRET_MARK, "plaintext": json.dumps(plain)}
    if isinstance(value, dict):
        return {key: _for_import(item, urn) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_for_import(item, urn) for item in value]
    if isinstance(value, pulumi.output.Unknown) or value == UNKNOWN:
        raise AdoptionError(f"an input of provider {urn} is not known before the update")
    return value


def _declared(
    runner: StackRunner, targets: list[str] | None, providers: Captured
) -> list[_Declared]:
    """Every resource a preview would create or import (not in the state yet), from its
    events.

    After a round of imports, only what is still to adopt is targeted: the adopted
    resources then stay as imported (the engine does not diff untargeted resources), so the
    values computed from them (a token's id, a remote's id) are known to their dependents,
    even where the first up will update them."""
    found = []
    for event in _preview_events(runner, targets, providers):
        pre = event.resource_pre_event
        if pre is None or pre.metadata.op.value not in NEW or pre.metadata.new is None:
            continue
        new = pre.metadata.new
        if pre.metadata.type == STACK_TYPE:
            continue
        found.append(
            _Declared(
                urn=pre.metadata.urn,
                type=pre.metadata.type,
                parent=new.parent or "",
                inputs=dict(new.inputs or {}),
                custom=bool(new.custom),
                provider=(new.provider or "").rsplit("::", 1)[0],
            )
        )
    return found


def _survey(
    item: _Declared, credentials: Credentials, existing: ExistingObjects, site: SiteConfig
) -> Survey:
    """Find the live object ``item`` declares and compare the two."""
    if item.type in PLUGIN_TYPES:
        return _survey_plugin(item, existing, site)
    provider_type = PROVIDERS_BY_TYPE.get(item.type)
    if provider_type is None:
        note = "a resource type this program does not adopt"
        return Survey(item.urn, item.type, None, Verdict.UNREADABLE, notes=(note,))
    provider = provider_type()
    provider.credentials = credentials
    props_type = provider.props_type
    if _unknown(item.inputs, props_type.write_only):
        return Survey(item.urn, item.type, None, Verdict.PENDING, holds_data=props_type.holds_data)
    declared = provider.parse(_known(item.inputs, props_type))
    object_id = provider.object_id(declared)
    holds_data = declared.holds_data
    blocking: tuple[str, ...] = ()
    try:
        live = provider.observe(provider.client(declared), object_id, declared)
        if live is None:
            blocking = in_the_way(item.type, item.inputs, site, existing)
    except ProxmoxError as error:
        return Survey(item.urn, item.type, object_id, Verdict.UNREADABLE, notes=(str(error),))
    if live is None:
        verdict = Verdict.IN_THE_WAY if blocking else Verdict.CREATE
        return Survey(item.urn, item.type, object_id, verdict, (), blocking, holds_data)
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


def _survey_plugin(item: _Declared, existing: ExistingObjects, site: SiteConfig) -> Survey:
    """A plugin resource: does its object exist (the plugin's import reads it), and if not,
    does something stand where the create would put it."""
    plugin = PLUGIN_TYPES[item.type]
    if _unknown(item.inputs, frozenset()):
        return Survey(item.urn, item.type, None, Verdict.PENDING, holds_data=plugin.holds_data)
    object_id = plugin.import_id(item.inputs)
    try:
        exists = plugin.exists(item.inputs, existing)
        blocking = () if exists else in_the_way(item.type, item.inputs, site, existing)
    except ProxmoxError as error:
        return Survey(item.urn, item.type, object_id, Verdict.UNREADABLE, notes=(str(error),))
    if exists:
        notes = (plugin.note,) if plugin.note else ()
        return Survey(item.urn, item.type, object_id, Verdict.ADOPT, (), notes, plugin.holds_data)
    verdict = Verdict.IN_THE_WAY if blocking else Verdict.CREATE
    return Survey(item.urn, item.type, object_id, verdict, (), blocking, plugin.holds_data)


def _unknown(inputs: Mapping[str, Any], skippable: frozenset[str]) -> bool:
    """Whether a field needed to find the object is not known yet."""
    return any(UNKNOWN in json.dumps(v) for key, v in inputs.items() if key not in skippable)


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


def _import_documents(
    ready: list[Survey], plan: list[_Declared], captured: Captured
) -> tuple[list[dict[str, Any]], set[str]]:
    """The ``pulumi import --file`` documents for ``ready``: first the components they (and
    their providers) sit in, when not in the state yet; then the providers not in the state
    and the resources. Two documents, because an import creates explicit providers before
    anything else, and a provider's parent must already be in the state. Also the URNs
    imported."""
    by_urn = {item.urn: item for item in plan}
    components: list[_Declared] = []

    def ancestors(urn: str) -> None:
        item = by_urn.get(urn)
        if item is None or item in components or item.is_provider or item.custom:
            return
        ancestors(item.parent)
        components.append(item)

    providers = []
    for survey in ready:
        item = by_urn[survey.urn]
        ancestors(item.parent)
        provider = by_urn.get(item.provider)
        if item.type in PLUGIN_TYPES and provider is not None and provider not in providers:
            ancestors(provider.parent)
            providers.append(provider)
    documents = []
    if components:
        frame = _Document()
        for item in components:
            frame.place({"type": item.type, "component": True}, item)
        documents.append(frame.render())
    resources = _Document()
    for item in providers:
        resources.place(_provider_entry(item, captured), item)
    for survey in ready:
        item = by_urn[survey.urn]
        entry: dict[str, Any] = {"type": item.type, "id": survey.object_id}
        plugin = PLUGIN_TYPES.get(item.type)
        if plugin is None:
            props_type = PROVIDERS_BY_TYPE[item.type].props_type
            entry.update(inputs=_known(item.inputs, props_type), outputs=survey.outputs)
        else:
            entry["provider"] = resources.reference(item.provider)
            unreadable = {k: v for k, v in item.inputs.items() if k in plugin.unreadable}
            if unreadable:  # what the plugin's Read cannot return: taken as declared
                entry["inputs"] = unreadable
        resources.place(entry, item)
    documents.append(resources.render())
    imported = {item.urn for item in components + providers} | {s.urn for s in ready}
    return documents, imported


class _Document:
    """One import file: entries named ``r<n>`` (their logical name beside), and a name
    table for what they refer to that is already in the state."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.name_table: dict[str, str] = {}
        self.in_file: dict[str, str] = {}

    def reference(self, urn: str) -> str:
        """An in-file resource by its entry name, one already in the state by a table key."""
        if urn in self.in_file:
            return self.in_file[urn]
        for key, known in self.name_table.items():
            if known == urn:
                return key
        key = f"existing{len(self.name_table)}"
        self.name_table[key] = urn
        return key

    def place(self, entry: dict[str, Any], item: _Declared) -> None:
        entry.update(name=f"r{len(self.entries)}", logicalName=_name(item.urn))
        if not _is_stack(item.parent):
            entry["parent"] = self.reference(item.parent)
        self.entries.append(entry)
        self.in_file[item.urn] = entry["name"]

    def render(self) -> dict[str, Any]:
        return {"nameTable": self.name_table, "resources": self.entries}


def _first_up(
    runner: StackRunner, adopted: Mapping[str, Survey]
) -> tuple[dict[str, Survey], Counter[str]]:
    """Preview the adopted state: what the first up does to each resource (by operation),
    and the adopted ones it would replace (blocked) or update (the plugin's differences)."""
    counts: Counter[str] = Counter()
    verified: dict[str, Survey] = {}
    for event in _preview_events(runner, None):
        pre = event.resource_pre_event
        if pre is None:
            continue
        meta = pre.metadata
        if meta.type == STACK_TYPE or meta.type.startswith(PROVIDER_TYPE_PREFIX):
            continue
        if meta.new is not None and not meta.new.custom:
            continue
        op = meta.op.value
        counts[op] += 1
        survey = adopted.get(meta.urn)
        if survey is None:
            continue
        if op in REPLACING:
            keys = tuple(
                FieldDifference(key, _input(meta.old, key), _input(meta.new, key))
                for key in meta.keys or meta.diffs or ()
            )
            verified[meta.urn] = replace(
                survey, verdict=Verdict.BLOCKED, differences=survey.differences or keys
            )
        elif op == "update" and survey.outputs is None:  # the plugin's: read on import
            unreadable = PLUGIN_TYPES[meta.type].unreadable
            differences = tuple(
                FieldDifference(key, _live(meta.old, key), _input(meta.new, key))
                for key in meta.diffs or ()
                if key not in unreadable
            )
            verified[meta.urn] = replace(survey, differences=differences)
    return verified, counts


def _input(state: Any, key: str) -> Any:
    inputs = getattr(state, "inputs", None) or {}
    return inputs.get(key)


def _live(state: Any, key: str) -> Any:
    """What the plugin's Read found (its outputs), else what the import recorded."""
    outputs = getattr(state, "outputs", None) or {}
    return outputs[key] if key in outputs else _input(state, key)


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
