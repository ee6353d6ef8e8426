"""The lab's transport-neutral request and response, between the HTTPS server and an app."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class Request:
    """One HTTP request as received (path decoded per segment, parameters as pairs)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: bytes
    headers: dict[str, str]

    @property
    def segments(self) -> list[str]:
        """Decoded path segments (``/a/b%2Fc`` → ``["a", "b/c"]``)."""
        return [unquote(part) for part in self.path.split("/") if part]

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def form(self) -> list[tuple[str, str]]:
        """Body pairs of a form-encoded request."""
        if not self.body or self.content_type == "application/json":
            return []
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json_body(self) -> Any:
        """The parsed JSON body (``{}`` when empty); raises ``ValueError`` if malformed."""
        return json.loads(self.body) if self.body.strip() else {}

    def json_members(self) -> dict[str, Any]:
        """The members of a JSON-object body; none for any other body, even a malformed one
        (for the request log and permission paths, which must not fail)."""
        if self.content_type != "application/json":
            return {}
        try:
            body = self.json_body()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def cookie(self, name: str) -> str | None:
        """A cookie value, URL-decoded (clients send tickets encoded)."""
        for part in self.headers.get("cookie", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return unquote(value)
        return None


@dataclass
class Response:
    """What to send back; ``close`` ends the keep-alive connection afterwards."""

    status: int
    body: bytes = b""
    reason: str | None = None
    content_type: str = JSON_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False

    @property
    def reason_phrase(self) -> str:
        """The given reason, else the standard one."""
        if self.reason is not None:
            return self.reason
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"


def split_target(target: str) -> tuple[str, list[tuple[str, str]]]:
    """``/path?query`` into the raw path and decoded query pairs."""
    path, _, query = target.partition("?")
    return path, parse_qsl(query, keep_blank_values=True)
