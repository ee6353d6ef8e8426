"""A dynamic resource that echoes its input and proves it was configured with a secret.

The secret reaches the provider through ``configure()`` (stack config), never through the
pickled provider; outputs carry only its SHA-256 so tests can check it arrived.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
from pulumi.dynamic import (
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)


class EchoProvider(ResourceProvider):
    """Echoes ``message``; ``token_sha256`` shows which secret ``configure()`` delivered."""

    token: str | None = None

    def configure(self, req: ConfigureRequest) -> None:
        self.token = req.config.get("token")

    def _outs(self, props: dict[str, Any]) -> dict[str, Any]:
        if not self.token:
            raise ValueError("echo:token was not delivered through configure()")
        digest = hashlib.sha256(self.token.encode()).hexdigest()
        return {"message": props["message"], "token_sha256": digest}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_="echo-1", outs=self._outs(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("message") != news.get("message")
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._outs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=self._outs(props))


class Echo(Resource):
    """The resource the probe program declares."""

    message: pulumi.Output[str]
    token_sha256: pulumi.Output[str]

    def __init__(self, name: str, message: pulumi.Input[str]) -> None:
        super().__init__(EchoProvider(), name, {"message": message, "token_sha256": None})
