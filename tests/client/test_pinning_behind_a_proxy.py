"""Issue 11.14: the pinned fingerprint holds through an HTTPS proxy too.

With ``HTTPS_PROXY`` set (and the host not in ``NO_PROXY``) requests sends the call through a
``ProxyManager`` of the adapter (``HTTPAdapter.proxy_manager_for``), which never received the
``assert_fingerprint`` the pool manager of direct connections has; verification is off
because the pin replaces it. So a wrong fingerprint "worked" and the API token went to
whoever answered. A CONNECT proxy on loopback (threads, bounded) carries the calls here.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from lab import Endpoint, Lab
from tappaas.client import ConnectionSettings, FingerprintMismatchError, Product, ProxmoxClient

RELAY_TIMEOUT_SECONDS = 10.0
CHUNK = 65536


class _ConnectHandler(socketserver.BaseRequestHandler):
    """``CONNECT host:port``: open a tunnel and relay bytes both ways until one side closes."""

    server: _ConnectProxy

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(RELAY_TIMEOUT_SECONDS)
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(CHUNK)
            if not data:
                return
            head += data
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.tunnels.append(target)
        host, _, port = target.rpartition(":")
        with socket.create_connection((host, int(port)), timeout=RELAY_TIMEOUT_SECONDS) as up:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._relay(client, up)

    @staticmethod
    def _relay(one: socket.socket, other: socket.socket) -> None:
        while True:
            ready, _, _ = select.select([one, other], [], [], RELAY_TIMEOUT_SECONDS)
            if not ready:
                return
            for source in ready:
                data = source.recv(CHUNK)
                if not data:
                    return
                (other if source is one else one).sendall(data)


class _ConnectProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ConnectHandler)
        self.tunnels: list[str] = []


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[_ConnectProxy]:
    """A CONNECT proxy that HTTPS_PROXY points at; the lab is not in NO_PROXY."""
    server = _ConnectProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=RELAY_TIMEOUT_SECONDS)


def _client(target: Endpoint, fingerprint: str) -> ProxmoxClient:
    return ProxmoxClient(
        ConnectionSettings(
            product=Product(target.product),
            host=target.host,
            port=target.port,
            fingerprint=fingerprint,
            token_id=target.token_id,
            token_secret=SecretStr(target.token_secret),
            timeout=RELAY_TIMEOUT_SECONDS,
        )
    )


def test_the_right_fingerprint_works_through_the_proxy(lab: Lab, proxy: _ConnectProxy) -> None:
    pbs = lab.pbs["local"]
    assert _client(pbs, pbs.fingerprint).get("/version")["version"]
    assert proxy.tunnels == [f"{pbs.host}:{pbs.port}"]  # it really went through the proxy


def test_a_wrong_fingerprint_fails_closed_through_the_proxy(lab: Lab, proxy: _ConnectProxy) -> None:
    pbs = lab.pbs["local"]
    lab.control.clear_requests()
    impostor_pin = lab.pve.fingerprint  # a real certificate's, just not this server's
    with pytest.raises(FingerprintMismatchError, match="not the pinned"):
        _client(pbs, impostor_pin).get("/version")
    assert proxy.tunnels == [f"{pbs.host}:{pbs.port}"]
    assert lab.control.requests("local") == []  # nothing reached PBS: no token was sent
