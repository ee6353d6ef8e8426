"""A threaded HTTPS/1.1 server with keep-alive, one per lab instance.

TLS is negotiated in the connection's own thread (not in ``accept``), so a slow or broken
client cannot stall the listener. An app answers each request with a ``Response``, or None
to drop the connection without answering (the lab's "reset" fault).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from lab.http.messages import Request, Response, split_target

MAX_BODY_BYTES = 64 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 60.0


class App(Protocol):
    """What the server calls for every request."""

    def handle(self, request: Request) -> Response | None:
        """Answer ``request``; None closes the connection without a response."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LabHttpServer

    def setup(self) -> None:
        self.request.settimeout(IDLE_TIMEOUT_SECONDS)
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the lab keeps its own request log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        path, query = split_target(self.path)
        request = Request(
            method=self.command,
            path=path,
            query=query,
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        response = self.server.app.handle(request)
        if response is None:
            self.close_connection = True
            self.request.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status, response.reason_phrase)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815


class LabHttpServer(ThreadingHTTPServer):
    """HTTPS on ``host:port`` for one app; ``port=0`` picks a free port."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, context: ssl.SSLContext, app: App) -> None:
        super().__init__((host, port), _Handler)
        self.context = context
        self.app = app
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.server_address[1])

    def finish_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        """Handshake in the worker thread, then serve the connection."""
        assert isinstance(request, socket.socket)
        try:
            request.settimeout(IDLE_TIMEOUT_SECONDS)
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with self._connections_lock:
            self._connections.add(tls)
        try:
            _Handler(tls, client_address, self)
        finally:
            with self._connections_lock:
                self._connections.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket, and every open connection with it: as when a
        server process exits, a keep-alive client gets a reset, not an answer from the past."""
        self.shutdown()
        self.server_close()
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
