"""The lifecycle every PBS/PVE object follows, written once.

Each resource supplies a props model (frozen, extra keys forbidden) whose fields are split
into identity (a change means replace) and settings (updated in place), plus four hooks:
``observe`` (read the live object into props), ``create_object``, ``update_object`` and
``delete_object``. This base turns them into Pulumi's check/diff/create/read/update/delete:

- ``check`` validates without I/O (unknown values during preview are left for later);
- ``diff`` replaces when an identity field changed; otherwise it reads the live object once,
  so drift made behind Pulumi's back shows up and is repaired by the next ``up``, and a
  vanished object is recreated;
- ``create``/``update`` first check the server's release (``/version``, once per run), and
  read the object back before returning outputs;
- ``read`` of a vanished object returns empty outputs; ``delete`` ignores NotFound only;
- write-only inputs (passwords) are never output: a SHA-256 of them is kept to see changes;
- ``create`` adopts an object of the same id that is already there (left by an interrupted
  ``up``, or made by a write whose answer was lost) when it is the object a create would have
  made: same identity fields (e.g. a datastore's path and backing device), and whatever
  ``adoption_refusal`` adds per resource; its settings are then brought to the declared ones.
  Otherwise it fails with one line saying what exists, why it was not taken over and how to
  adopt or rename it;
- every failure reaches the user as one line; the traceback goes to the engine's debug
  output (``_errors.reported``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime.rpc import unwrap_rpc_secret
from pydantic import BaseModel, ConfigDict, ValidationError

from providers import _engine_log
from providers._endpoint import Credentials, Endpoint
from providers._errors import AdoptionRefusedError, reported
from tappaas.client import (
    ConflictError,
    NotFoundError,
    ProxmoxClient,
    TaskTimeoutError,
    TransientApiError,
    TransportError,
)

PROVIDER_KEY = "__provider"
MAYBE_MADE_BY_ANOTHER = (ConflictError, TransportError, TransientApiError, TaskTimeoutError)
"""Create failures after which the object may exist anyway: an earlier, interrupted run's
task still running, or this write landing although its answer was lost."""


class Props(BaseModel):
    """Base of every resource's inputs: where the object lives, plus its own fields."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, hide_input_in_errors=True
    )

    endpoint: Endpoint

    #: Fields that cannot change in place (the API has no update for them).
    identity: ClassVar[frozenset[str]] = frozenset()
    #: Inputs the API never returns (passwords); outputs carry ``<name>_sha256`` instead.
    write_only: ClassVar[frozenset[str]] = frozenset()
    #: Options that only steer creation (e.g. ``reuse_datastore``): never compared with the
    #: live object, so changing them later changes nothing.
    create_only: ClassVar[frozenset[str]] = frozenset()
    #: The object holds backups (a datastore, a namespace): an adoption must never replace it.
    holds_data: ClassVar[bool] = False
    #: What adopting an existing object implies beyond its differences (told to the user).
    adoption_note: ClassVar[str | None] = None

    def wire(self, model: type[BaseModel]) -> Any:
        """This object's fields as the given wire model (drops provider-only fields)."""
        return model.model_validate(self.model_dump(include=set(model.model_fields)))


P = TypeVar("P", bound=Props)
T = TypeVar("T")


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """Engine values without the pickled provider and with secrets unwrapped."""
    return {k: unwrap_rpc_secret(v) for k, v in values.items() if k != PROVIDER_KEY}


def _has_unknowns(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_has_unknowns(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_unknowns(v) for v in value)
    return False


class ObjectProvider(ResourceProvider, Generic[P]):
    """Pulumi's dynamic-provider interface over four typed hooks."""

    props_type: ClassVar[type[Props]]
    makes_an_object: ClassVar[bool] = True
    """False for a resource that creates nothing (a read, a wait, a hand-over of owners):
    its create just does its work, with no search for an object to adopt."""
    credentials: Credentials | None = None
    #: The pickled provider holds no secret (credentials come from configure()), so the state
    #: can show it in the clear; Pulumi still encrypts it if it ever captured a secret.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        self.credentials = Credentials(req.config)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every entry point a resource defines (``RestoredVm`` narrows diff/read/delete)
        reports its failures as one line too."""
        super().__init_subclass__(**kwargs)
        for name in ENTRY_POINTS:
            if name in cls.__dict__:
                setattr(cls, name, _reported_entry_point(name, cls.__dict__[name]))

    # --- hooks ------------------------------------------------------------------------------

    @abstractmethod
    def object_id(self, props: P) -> str:
        """The resource id (e.g. a datastore name, ``store:ns``, ``path|auth-id|role``)."""

    @abstractmethod
    def observe(self, client: ProxmoxClient, object_id: str, props: P) -> P | None:
        """The live object as props (provider-only and write-only fields taken from
        ``props``), or None if it does not exist."""

    @abstractmethod
    def create_object(self, client: ProxmoxClient, props: P) -> dict[str, Any]:
        """Create it; return extra outputs known only at creation (e.g. a token secret)."""

    @abstractmethod
    def update_object(self, client: ProxmoxClient, object_id: str, old: P, new: P) -> None:
        """Change its settings in place (identity fields are equal). ``old`` holds a write-only
        value only when it is unchanged (equal to ``new``'s); the endpoint may differ."""

    @abstractmethod
    def delete_object(self, client: ProxmoxClient, object_id: str, props: P) -> None:
        """Delete it; NotFound may propagate (the base ignores it)."""

    def extra_outputs(self, props: P, olds: dict[str, Any]) -> dict[str, Any]:
        """Outputs carried forward from the previous state (e.g. a token secret)."""
        return {}

    # --- adoption hooks (create finds its object already there) ------------------------------

    def adoption_refusal(
        self, client: ProxmoxClient, object_id: str, wanted: P, found: P
    ) -> str | None:
        """Why ``found`` (live, same id) is not the object a create of ``wanted`` would have
        made, or None when it is. Default: every identity field must match (a datastore on
        another path is another datastore). Resources add their own rules."""
        moved = sorted(n for n in wanted.identity if getattr(found, n) != getattr(wanted, n))
        if not moved:
            return None
        differences = ", ".join(
            f"{n}={getattr(found, n)!r} (declared {getattr(wanted, n)!r})" for n in moved
        )
        return f"already exists with {differences}: not taken over. {self.adoption_advice}"

    #: The commands that resolve a refused adoption (per resource: adopt it, or rename ours).
    adoption_advice: ClassVar[str] = (
        "Declare it as it is in the stack config to adopt it, or give ours another name."
    )

    def adopt_object(
        self, client: ProxmoxClient, object_id: str, wanted: P, found: P
    ) -> dict[str, Any]:
        """Take over ``found``: bring its settings to ``wanted``; extra outputs as on create.

        Default: the in-place update, told that no write-only value (a password, a key) is
        known to be on the server already, so each is sent."""
        unknown = found.model_copy(update=dict.fromkeys(found.write_only))
        self.update_object(client, object_id, unknown, wanted)
        return {}

    @property
    def kind(self) -> str:
        """The resource's name for messages, e.g. ``PbsDatastore``."""
        return self.props_type.__name__.removesuffix("Props")

    def _object_id_of(self, values: dict[str, Any]) -> str:
        try:
            return self.object_id(self.parse(values))
        except ValidationError:
            return "(invalid input)"

    # --- plumbing ---------------------------------------------------------------------------

    def differences(self, declared: P, live: P) -> list[str]:
        """The fields whose live value is not the declared one (write-only and create-only
        fields are never compared; an unset setting the API cannot delete is not managed)."""
        skipped = declared.write_only | declared.create_only
        return [
            name
            for name in type(declared).model_fields
            if name not in skipped
            and _effective(declared, name) != _effective(live, name)
            and _manages(declared, name)
        ]

    def parse(self, values: dict[str, Any]) -> P:
        return self.props_type.model_validate(plain(values))  # type: ignore[return-value]

    def parse_state(self, olds: dict[str, Any]) -> P:
        """Props from a previous state's outputs (which also carry computed fields)."""
        fields = set(self.props_type.model_fields)
        values = plain(olds)
        return self.parse({k: v for k, v in values.items() if k in fields})

    def client(self, props: P) -> ProxmoxClient:
        if self.credentials is None:
            raise RuntimeError("provider used before configure(): no credentials")
        return self.credentials.client(props.endpoint)

    def outputs(
        self, props: P, extra: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Outputs: props without write-only values, whose hashes stand in for them (carried
        over from ``previous`` outputs when the value is not at hand, as on a refresh)."""
        outs = props.model_dump(mode="json", exclude=set(props.write_only))
        for name in props.write_only:
            value = getattr(props, name)
            key = f"{name}_sha256"
            if value is not None:
                outs[key] = sha256(_secret_text(value))
            else:
                outs[key] = (previous or {}).get(key)
        outs["resource_id"] = self.object_id(props)
        outs.update(extra)
        return outs

    # --- Pulumi entry points ----------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if _has_unknowns(news):
            return CheckResult(news, [])
        try:
            self.parse(news)
        except ValidationError as exc:
            failures = [
                CheckFailure(".".join(str(p) for p in err["loc"]) or "(props)", err["msg"])
                for err in exc.errors()
            ]
            return CheckResult(news, failures)
        return CheckResult(news, [])

    def diff(self, object_id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        identity = self.props_type.identity
        if _has_unknowns(news):
            plain_news = plain(news)
            changed = [k for k, v in plain_news.items() if plain(olds).get(k) != v]
            replaces = [k for k in changed if k in identity]
            return DiffResult(changes=bool(changed), replaces=replaces)
        new = self.parse(news)
        old = self.parse_state(olds)
        moved = sorted(name for name in identity if getattr(new, name) != getattr(old, name))
        if moved:  # a different object: no need to look at the live one
            return DiffResult(changes=True, replaces=moved, delete_before_replace=True)
        live = self.observe(self.client(new), object_id, new)
        if live is None:  # deleted behind our back: create it again
            return DiffResult(changes=True, replaces=sorted(identity), delete_before_replace=True)
        changed = self.differences(new, live)
        if new.endpoint != old.endpoint and "endpoint" not in changed:
            changed.append("endpoint")
        for name in new.write_only:
            value = getattr(new, name)
            digest = None if value is None else sha256(_secret_text(value))
            if plain(olds).get(f"{name}_sha256") != digest:
                changed.append(name)
        replaces = [name for name in changed if name in identity]
        return DiffResult(
            changes=bool(changed), replaces=replaces, delete_before_replace=bool(replaces)
        )

    def require_release(self, client: ProxmoxClient) -> None:
        """Before ``create_object``/``update_object``: the server runs a release this program
        supports (``/version``, read once per run)."""
        client.require_supported()

    def create(self, props: dict[str, Any]) -> CreateResult:
        wanted = self.parse(props)
        client = self.client(wanted)
        self.require_release(client)
        object_id = self.object_id(wanted)
        found = self.observe(client, object_id, wanted) if self.makes_an_object else None
        if found is not None:
            extra = self._adopt(client, object_id, wanted, found)
        else:
            try:
                extra = self.create_object(client, wanted)
            except MAYBE_MADE_BY_ANOTHER:
                if not self.makes_an_object:
                    raise
                found = self.observe(client, object_id, wanted)
                if found is None:
                    raise
                extra = self._adopt(client, object_id, wanted, found)
        live = self._read_back(client, object_id, wanted)
        return CreateResult(id_=object_id, outs=self.outputs(live, extra))

    def _adopt(self, client: ProxmoxClient, object_id: str, wanted: P, found: P) -> dict[str, Any]:
        refusal = self.adoption_refusal(client, object_id, wanted, found)
        if refusal is not None:
            raise AdoptionRefusedError(refusal)
        extra = self.adopt_object(client, object_id, wanted, found)
        _engine_log.info(
            f"{self.kind} '{object_id}' was already there (an interrupted run, or a write whose "
            "answer was lost): adopted, settings brought to the declared ones"
        )
        return extra

    def update(self, object_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        new = self.parse(news)
        client = self.client(new)
        self.require_release(client)
        self.update_object(client, object_id, self._previous(olds, new), new)
        live = self._read_back(client, object_id, new)
        return UpdateResult(outs=self.outputs(live, self.extra_outputs(new, plain(olds))))

    def read(self, object_id: str, props: dict[str, Any]) -> ReadResult:
        known = self.parse_state(props)
        live = self.observe(self.client(known), object_id, known)
        if live is None:
            return ReadResult(id_=None, outs={})
        previous = plain(props)
        return ReadResult(
            id_=object_id,
            outs=self.outputs(live, self.extra_outputs(known, previous), previous),
        )

    def delete(self, object_id: str, props: dict[str, Any]) -> None:
        known = self.parse_state(props)
        with contextlib.suppress(NotFoundError):
            self.delete_object(self.client(known), object_id, known)

    def _previous(self, olds: dict[str, Any], new: P) -> P:
        """The state's props, with each write-only value whose hash is unchanged filled in
        from ``new`` (the same value), so ``update_object`` re-sends only changed secrets."""
        previous = plain(olds)
        same = {
            name: value
            for name in new.write_only
            if (value := getattr(new, name)) is not None
            and previous.get(f"{name}_sha256") == sha256(_secret_text(value))
        }
        return self.parse_state(olds).model_copy(update=same)

    def _read_back(self, client: ProxmoxClient, object_id: str, wanted: P) -> P:
        live = self.observe(client, object_id, wanted)
        if live is None:
            raise vanished(wanted, object_id, "was written but cannot be read back")
        return live


def vanished(props: Props, object_id: str, what: str = "vanished") -> NotFoundError:
    """The error for an object that disappeared between two calls of one operation."""
    return NotFoundError(
        product=props.endpoint.product.value,
        method="GET",
        path=object_id,
        status=404,
        message=f"{object_id} {what}",
    )


def _endpoint_of(values: dict[str, Any]) -> Endpoint | None:
    """The endpoint named in raw inputs or outputs, if it parses (for error messages)."""
    try:
        return Endpoint.model_validate(plain(values).get("endpoint"))
    except ValidationError:
        return None


def _manages(props: Props, name: str) -> bool:
    """False for an unset setting the API can neither delete nor default (``WireModel``)."""
    manages = getattr(props, "manages", None)
    return bool(manages(name)) if manages is not None else True


def _effective(props: Props, name: str) -> Any:
    """The field's value, or the default an unset one stands for (``WireModel.defaults``)."""
    effective = getattr(props, "effective", None)
    return effective(name) if effective is not None else getattr(props, name)


def _secret_text(value: Any) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


ENTRY_POINTS = ("diff", "create", "update", "read", "delete")
"""What the engine calls on a provider (``check`` reports its own failures as such)."""


def _reported_entry_point(operation: str, method: Callable[..., T]) -> Callable[..., T]:
    """``method`` with any failure turned into one line naming the object (``_errors``)."""

    @functools.wraps(method)
    def entry_point(self: ObjectProvider[Any], *args: Any) -> T:
        values = args[-1] if args and isinstance(args[-1], dict) else {}
        object_id = args[0] if operation != "create" else self._object_id_of(values)
        where = _endpoint_of(values) or (_endpoint_of(args[1]) if len(args) > 2 else None)
        return reported(self.kind, str(object_id), operation, where, lambda: method(self, *args))

    return entry_point


for _name in ENTRY_POINTS:
    setattr(ObjectProvider, _name, _reported_entry_point(_name, getattr(ObjectProvider, _name)))
