"""``PbsToken``: an API token of a PBS user, whose secret exists only in our state.

PBS shows the secret once, at creation: it becomes the secret output ``secret`` and is
carried forward on every later read and update. A replace creates a new token, hence a new
secret, and everything consuming the output follows. A token adopted into the state (``tappaas
import live``) has no secret there, since PBS never shows it again: its next update
regenerates it (``regenerate``), so the stack can hand it on; the old secret stops working.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import DiffResult, UpdateResult

from providers import _engine_log
from providers._lifecycle import ObjectProvider, Props, plain
from providers._resource import ObjectResource
from providers._section import update_fresh
from tappaas.client import ProxmoxClient
from tappaas.model._types import PbsUserId, TokenName
from tappaas.pbs.access import AccessApi, TokenSettings


class PbsTokenProps(Props, TokenSettings):
    identity = frozenset({"userid", "token_name"})
    adoption_note = (
        "secret: PBS never shows a token's secret again, so the first up regenerates it; "
        "the old secret stops working and what uses it gets the new one from the stacks"
    )

    userid: PbsUserId
    token_name: TokenName

    @property
    def token_id(self) -> str:
        return f"{self.userid}!{self.token_name}"


class PbsTokenProvider(ObjectProvider[PbsTokenProps]):
    props_type = PbsTokenProps

    def object_id(self, props: PbsTokenProps) -> str:
        return props.token_id

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsTokenProps
    ) -> PbsTokenProps | None:
        current = AccessApi(client).get_token(props.userid, props.token_name)
        return None if current is None else props.model_copy(update=dict(current.value))

    def create_object(self, client: ProxmoxClient, props: PbsTokenProps) -> dict[str, Any]:
        secret = AccessApi(client).create_token(
            props.userid, props.token_name, props.wire(TokenSettings)
        )
        return {"token_id": props.token_id, "secret": secret.get_secret_value()}

    def adopt_object(
        self, client: ProxmoxClient, object_id: str, wanted: PbsTokenProps, found: PbsTokenProps
    ) -> dict[str, Any]:
        """A token that exists but whose secret this stack never saw (shown once, at creation,
        to a run that was interrupted) cannot be used: regenerate it, and say so."""
        self.update_object(client, object_id, found, wanted)
        secret = AccessApi(client).regenerate_token(wanted.userid, wanted.token_name)
        _engine_log.warning(
            f"PBS token '{object_id}' already existed with a secret this stack never saw: "
            "regenerated it (its permissions stay); whatever used the old secret gets the new "
            "one from this stack's outputs"
        )
        return {"token_id": wanted.token_id, "secret": secret.get_secret_value()}

    def extra_outputs(self, props: PbsTokenProps, olds: dict[str, Any]) -> dict[str, Any]:
        return {"token_id": props.token_id, "secret": olds.get("secret")}

    def diff(self, object_id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(object_id, olds, news)
        if result.replaces or not _secret_unknown(olds):
            return result
        return DiffResult(changes=True, replaces=[], delete_before_replace=False)

    def update(self, object_id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        result = super().update(object_id, olds, news)
        if not _secret_unknown(olds):
            return result
        props = self.parse(news)
        secret = AccessApi(self.client(props)).regenerate_token(props.userid, props.token_name)
        return UpdateResult(outs={**(result.outs or {}), "secret": secret.get_secret_value()})

    def update_object(
        self, client: ProxmoxClient, object_id: str, old: PbsTokenProps, new: PbsTokenProps
    ) -> None:
        api = AccessApi(client)

        update_fresh(
            lambda: api.get_token(new.userid, new.token_name),
            lambda current: api.update_token(
                new.userid, new.token_name, current, new.wire(TokenSettings)
            ),
            new,
            object_id,
        )

    def delete_object(self, client: ProxmoxClient, object_id: str, props: PbsTokenProps) -> None:
        AccessApi(client).delete_token(props.userid, props.token_name)


def _secret_unknown(olds: dict[str, Any]) -> bool:
    """An adopted token: the state holds no secret for it."""
    return plain(olds).get("secret") is None


class PbsToken(ObjectResource, module="pbs", name="Token"):
    """An API token; ``secret`` is a secret output, ``token_id`` is ``user@realm!name``."""

    provider_type = PbsTokenProvider
    computed = ("token_id", "secret")
    secret_outputs = ("secret",)

    token_id: pulumi.Output[str]
    secret: pulumi.Output[str]
