"""A tiny authoritative DNS server (dnspython) on a loopback address: the site's "internet".

Unbound forwards to it as OPNsense forwards to the ISP's resolver. It answers its records
(``A``, with short TTLs so the tests see them expire), NXDOMAIN with an SOA for other names
(as a recursive resolver does for a name that does not exist, e.g. anything under
``internal``), over UDP and TCP. ``stop()`` closes both sockets: the uplink is gone.
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

POLL_SECONDS = 0.1
JOIN_SECONDS = 5.0
NEGATIVE_TTL = 1
"""SOA minimum: NXDOMAIN is cached for a second only."""


@dataclass
class Upstream:
    """Authoritative answers for ``records`` (name → (address, ttl)) on ``host:port``."""

    host: str
    records: dict[str, tuple[str, int]]
    port: int = 0
    queries: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _sockets: list[socket.socket] = field(default_factory=list)

    def start(self) -> Upstream:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((self.host, self.port))
        self.port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((self.host, self.port))
        tcp.listen(16)
        for sock in (udp, tcp):
            sock.settimeout(POLL_SECONDS)
            self._sockets.append(sock)
        self._threads = [
            threading.Thread(target=self._serve_udp, args=(udp,), daemon=True),
            threading.Thread(target=self._serve_tcp, args=(tcp,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Close the sockets: queries now meet a closed port, like a dead uplink."""
        self._stop.set()
        for thread in self._threads:
            thread.join(JOIN_SECONDS)
        for sock in self._sockets:
            sock.close()
        self._threads, self._sockets = [], []

    @property
    def running(self) -> bool:
        return bool(self._threads) and not self._stop.is_set()

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.queries.append(name)
        record = self.records.get(name)
        if record is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(
                dns.rrset.from_text(
                    ".", NEGATIVE_TTL, "IN", "SOA",
                    f"ns.upstream. admin.upstream. 1 60 60 60 {NEGATIVE_TTL}",
                )
            )  # fmt: skip
        elif question.rdtype == dns.rdatatype.A:
            address, ttl = record
            response.answer.append(dns.rrset.from_text(question.name, ttl, "IN", "A", address))
        return response.to_wire()

    def _serve_udp(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            sock.sendto(self.answer(wire), peer)

    def _serve_tcp(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(JOIN_SECONDS)
                try:
                    (length,) = struct.unpack("!H", _read(conn, 2))
                    reply = self.answer(_read(conn, length))
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
                except (OSError, struct.error):
                    continue


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data
