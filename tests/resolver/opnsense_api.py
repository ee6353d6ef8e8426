"""A loopback HTTPS stand-in for the two OPNsense API calls the drill makes (a test twin).

It serves a ``FirewallUnbound``'s settings in the shapes opnsense/core renders them
(``tests/resolver/unbound.py`` cites the model and controllers) and follows OPNsense's API
gate (``src/opnsense/mvc/app/controllers/OPNsense/Base/ApiControllerBase.php``,
``beforeExecuteRoute``): HTTP basic auth with key:secret, 401 ``{"status": 401, "message":
"Authentication Failed"}`` for a bad pair, 403 ``{"status": 403, "message": "Forbidden"}``
when the key's user lacks a privilege whose URL pattern matches (``models/OPNsense/Core/
ACL.php`` ``urlMatch``; patterns from ``models/OPNsense/Unbound/ACL/ACL.xml``), and 404
``{"errorMessage": "Endpoint not found"}`` for an unknown endpoint (``www/api.php``). Routes
accept snake_case and camelCase actions (``library/OPNsense/Mvc/Router.php``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lab.tls import TlsMaterial, mint
from tests.resolver.unbound import FirewallUnbound

HOST = "127.0.0.1"
API_KEY = "w86XNZob/8Oq8aC5r0kbNarNtdpoQU781fyoeaOBQsBwkXUt"
API_SECRET = "XeD26XVrJ5ilAc/EmZCD5ZxyLJCaQUPz4Ol3IXD8aKK0V0ftUm9nI8Km9ds9"
"""A key pair in OPNsense's format (test-only values)."""
PRIVILEGES = {
    "page-services-unbound": ("ui/unbound/*", "api/unbound/*"),
    "page-services-dnsresolver-overrides": (
        "ui/unbound/overrides",
        "api/unbound/settings/search_host_override/*",
        "api/unbound/settings/get_host_override/*",
    ),
}
"""Privilege → URL patterns, from ACL.xml (the overrides privilege abridged to its reads)."""


def url_match(url: str, mask: str) -> bool:
    """ACL.php ``urlMatch``: ``*`` is a wildcard, a trailing ``/*`` also matches the flat URL."""
    pattern = mask.replace(".", r"\.").replace("*", ".*").replace("?", r"\?")
    pattern = re.sub(r"([/&?])\.\*$", r"(\1.*)?", pattern)
    return re.match(f"^/{pattern}$", url.split("#", maxsplit=1)[0]) is not None


@dataclass
class ApiKey:
    secret: str
    privileges: tuple[str, ...] = ("page-services-unbound",)


@dataclass
class OpnsenseApi:
    """The stand-in: ``start()``, then ``base``/``fingerprint``; ``stop()`` in teardown."""

    unbound: FirewallUnbound
    keys: dict[str, ApiKey]
    tls: TlsMaterial = field(default_factory=lambda: mint("OPNsense.internal"))
    requests: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def routes(self) -> dict[str, Callable[[], Any]]:
        return {
            "/api/unbound/settings/get": self.unbound.api_model,
            "/api/unbound/settings/search_host_override": self.unbound.api_host_overrides,
            "/api/unbound/settings/searchHostOverride": self.unbound.api_host_overrides,
        }

    def start(self) -> OpnsenseApi:
        twin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                twin.requests.append(("GET", self.path))
                status, body = twin.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # the drill never writes; a write would be a defect
                twin.requests.append(("POST", self.path))
                self.send_response(405)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        context = self.tls.server_context()
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def fingerprint(self) -> str:
        return self.tls.fingerprint

    def write_ca_file(self, path: Path) -> Path:
        path.write_bytes(self.tls.cert_pem)
        return path

    def answer(self, uri: str, authorization: str | None) -> tuple[int, Any]:
        path = uri.split("?", maxsplit=1)[0]
        route = self.routes().get(path)
        if route is None:
            return 404, {"errorMessage": "Endpoint not found"}
        key = self._authenticate(authorization)
        if key is None:
            return 401, {"status": 401, "message": "Authentication Failed"}
        masks = [mask for name in key.privileges for mask in PRIVILEGES[name]]
        if not any(url_match(uri, mask) for mask in masks):
            return 403, {"status": 403, "message": "Forbidden"}
        return 200, route()

    def _authenticate(self, authorization: str | None) -> ApiKey | None:
        parts = (authorization or "").split(" ")
        if len(parts) < 2:
            return None
        pair = base64.b64decode(parts[1]).decode(errors="replace").split(":")
        if len(pair) < 2:
            return None
        key = self.keys.get(pair[0])
        return key if key is not None and key.secret == pair[1] else None
