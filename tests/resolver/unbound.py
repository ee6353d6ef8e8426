"""A real Unbound (Debian's package), configured the way OPNsense configures it.

``FirewallUnbound`` holds what an OPNsense admin sets (the ``unboundplus`` model's field names
and string values, ``models/OPNsense/Unbound/Unbound.xml``) and renders the files OPNsense
would write from it (opnsense/core):

- ``unbound.conf``: ``src/etc/inc/plugins.inc.d/unbound.inc`` ``unbound_generate_config``
  (``include: advanced.conf``, ``include: host_entries.conf``, ``do-not-query-localhost: no``
  when a forwarder is on 127.0.0.0/8, ``forward-zone: name: "."`` with the system's
  nameservers when Query Forwarding is on);
- ``advanced.conf``: ``src/opnsense/service/templates/OPNsense/Unbound/core/advanced.conf``
  (booleans as yes/no, empty numbers left out);
- ``host_entries.conf``: ``unbound_add_host_entries`` (``local-zone: "<system domain>"
  <local_zone_type>``, localhost, then each enabled host override as ``local-data``, a
  wildcard ``*`` as ``local-zone: "<domain>" redirect``).

What differs, because this Unbound runs unprivileged in a test's temp dir: no chroot, no user
switch, no daemon, its own pid and log files, ``remote-control`` off (OPNsense enables it on
127.0.0.1:953), the ``iterator`` module only (no DNSSEC validator or DNSBL python module),
IPv4 on one loopback address and port, and an access list for 127.0.0.0/8.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.message
import dns.query

UNBOUND = "/usr/sbin/unbound"
START_SECONDS = 10.0
STOP_SECONDS = 5.0
SYSTEM_DOMAIN = "internal"
"""OPNsense's System > Settings > General domain: TAPPaaS's local domain."""

# The advanced.conf template's booleans, in its order: OPNsense field → unbound option.
_BOOLEANS = (
    ("hideidentity", "hide-identity"),
    ("hideversion", "hide-version"),
    ("prefetch", "prefetch"),
    ("prefetchkey", "prefetch-key"),
    ("dnssecstripped", "harden-dnssec-stripped"),
    ("belownxdomain", "harden-below-nxdomain"),
    ("aggressivensec", "aggressive-nsec"),
    ("serveexpired", "serve-expired"),
)
_EXPIRED = (
    ("serveexpiredreplyttl", "serve-expired-reply-ttl"),
    ("serveexpiredttl", "serve-expired-ttl"),
)
_NUMBERS = (("serveexpiredclienttimeout", "serve-expired-client-timeout"),)
ADVANCED_DEFAULTS = {
    "hideidentity": "0",
    "hideversion": "0",
    "prefetch": "0",
    "prefetchkey": "0",
    "dnssecstripped": "0",
    "belownxdomain": "1",
    "aggressivensec": "1",
    "serveexpired": "0",
    "serveexpiredreplyttl": "",
    "serveexpiredttl": "",
    "serveexpiredttlreset": "0",
    "serveexpiredclienttimeout": "",
    "qnameminstrict": "0",
    "extendedstatistics": "0",
    "logqueries": "0",
    "logreplies": "0",
}
"""``Unbound.xml``'s defaults (``belownxdomain`` and ``aggressivensec`` default to 1)."""
LOCAL_ZONE_TYPES = ("transparent", "always_nxdomain", "deny", "refuse", "static", "typetransparent")


@dataclass
class HostOverride:
    """One row of Services > Unbound DNS > Overrides (``hosts.host``)."""

    hostname: str
    domain: str
    server: str
    rr: str = "A"
    enabled: bool = True
    ttl: str = ""
    aliases: list[tuple[str, str]] = field(default_factory=list)
    """(hostname, domain) of each alias; empty means the parent's."""
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class FirewallUnbound:
    """The firewall's Unbound settings, as OPNsense stores them."""

    advanced: dict[str, str] = field(default_factory=dict)
    overrides: list[HostOverride] = field(default_factory=list)
    local_zone_type: str = "transparent"
    forwarding: bool = True

    def setting(self, key: str) -> str:
        return self.advanced.get(key, ADVANCED_DEFAULTS.get(key, ""))

    # --- the files OPNsense writes ----------------------------------------------------------

    def advanced_conf(self) -> str:
        lines = ["server:"]
        for key, option in _BOOLEANS:
            lines.append(f"{option}: {'yes' if self.setting(key) == '1' else 'no'}")
        for key, option in _EXPIRED:
            if self.setting(key):
                lines.append(f"{option}: {self.setting(key)}")
        reset = "yes" if self.setting("serveexpiredttlreset") == "1" else "no"
        lines.append(f"serve-expired-ttl-reset: {reset}")
        for key, option in _NUMBERS:
            if self.setting(key):
                lines.append(f"{option}: {self.setting(key)}")
        return "\n".join(lines) + "\n"

    def host_entries_conf(self) -> str:
        lines = [
            f'local-zone: "{SYSTEM_DOMAIN}" {self.local_zone_type}',
            'local-data-ptr: "127.0.0.1 localhost"',
            'local-data: "localhost A 127.0.0.1"',
            f'local-data: "localhost.{SYSTEM_DOMAIN} A 127.0.0.1"',
        ]
        for host in self.overrides:
            if not host.enabled:
                continue
            for alias_host, alias_domain in [(host.hostname, host.domain), *host.aliases]:
                hostname, domain = alias_host or host.hostname, alias_domain or host.domain
                if hostname == "*":
                    lines.append(f'local-zone: "{domain}" redirect')
                    lines.append(f'local-data: "{domain} {host.ttl} IN {host.rr} {host.server}"')
                else:
                    lines.append(
                        f'local-data: "{hostname}.{domain} {host.ttl} IN {host.rr} {host.server}"'
                    )
        return "\n".join(lines) + "\n"

    def unbound_conf(self, directory: Path, address: str, port: int, upstream: str) -> str:
        forward = ""
        if self.forwarding:
            forward = f'forward-zone:\n    name: "."\n    forward-addr: {upstream}\n'
        return f"""server:
directory: "{directory}"
chroot: ""
username: ""
pidfile: "{directory}/unbound.pid"
use-syslog: no
logfile: "{directory}/unbound.log"
port: {port}
include: "{directory}/advanced.conf"
harden-referral-path: no
do-ip4: yes
do-ip6: no
do-udp: yes
do-tcp: yes
do-daemonize: no
so-reuseport: no
module-config: "iterator"
num-threads: 1
do-not-query-localhost: no
interface: {address}
access-control: 127.0.0.0/8 allow
include: "{directory}/host_entries.conf"

remote-control:
    control-enable: no

{forward}"""

    # --- what the API answers ---------------------------------------------------------------

    def api_model(self) -> dict[str, Any]:
        """``{"unbound": …}`` as ``GET /api/unbound/settings/get`` renders the model."""
        advanced = {key: self.setting(key) for key in ADVANCED_DEFAULTS}
        zone_types = {
            option: {"value": option, "selected": int(option == self.local_zone_type)}
            for option in LOCAL_ZONE_TYPES
        }
        hosts = {
            host.uuid: {
                "enabled": "1" if host.enabled else "0",
                "hostname": host.hostname,
                "domain": host.domain,
                "rr": {
                    rr: {"value": label, "selected": int(rr == host.rr)}
                    for rr, label in RR_LABELS.items()
                },
                "mxprio": "",
                "mx": "",
                "ttl": host.ttl,
                "server": host.server,
                "txtdata": "",
                "addptr": "1",
                "description": "",
            }
            for host in self.overrides
        }
        return {
            "unbound": {
                "general": {
                    "enabled": "1",
                    "port": "53",
                    "dnssec": "0",
                    "local_zone_type": zone_types,
                    "regdhcp": "0",
                    "regdhcpstatic": "0",
                },
                "advanced": advanced,
                "acls": {"default_action": {}, "acl": []},
                "dnsbl": {"blocklist": []},
                "forwarding": {"enabled": "1" if self.forwarding else "0"},
                "dots": {"dot": []},
                "hosts": {"host": hosts or []},
                "aliases": {"alias": []},
            }
        }

    def api_host_overrides(self) -> dict[str, Any]:
        """``GET /api/unbound/settings/search_host_override`` (aliases as ``_children``)."""
        rows = []
        for host in self.overrides:
            row: dict[str, Any] = {
                "uuid": host.uuid,
                "enabled": "1" if host.enabled else "0",
                "hostname": host.hostname,
                "domain": host.domain,
                "rr": host.rr,
                "%rr": RR_LABELS[host.rr],
                "mxprio": "",
                "mx": "",
                "ttl": host.ttl,
                "server": host.server,
                "txtdata": "",
                "addptr": "1",
                "aliases": "",
                "description": "",
                "isAlias": False,
            }
            children = []
            for hostname, domain in host.aliases:
                child = {key: value for key, value in row.items() if key != "aliases"}
                child.update(uuid=str(uuid.uuid4()), hostname=hostname, domain=domain, isAlias=True)
                children.append(child)
            if children:
                row["_children"] = children
            rows.append(row)
        return {"rows": rows, "rowCount": len(rows), "total": len(rows), "current": 1}


RR_LABELS = {
    "A": "A (IPv4 address)",
    "AAAA": "AAAA (IPv6 address)",
    "MX": "MX (mail server)",
    "TXT": "TXT (text)",
}


@dataclass
class UnboundProcess:
    """One ``unbound -d`` on ``address:port`` with its files in ``directory``."""

    directory: Path
    address: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(
        cls, settings: FirewallUnbound, directory: Path, address: str, port: int, upstream: str
    ) -> UnboundProcess:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "advanced.conf").write_text(settings.advanced_conf())
        (directory / "host_entries.conf").write_text(settings.host_entries_conf())
        conf = directory / "unbound.conf"
        conf.write_text(settings.unbound_conf(directory, address, port, upstream))
        checked = subprocess.run(
            [f"{UNBOUND}-checkconf", str(conf)], capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            raise RuntimeError(f"unbound-checkconf refused {conf}: {checked.stderr}")
        running = cls(directory, address, port)
        with (directory / "stderr.log").open("wb") as stderr:
            running.process = subprocess.Popen(
                [UNBOUND, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=stderr
            )
        running.wait_ready()
        return running

    def wait_ready(self) -> None:
        """Until it answers ``localhost`` (bounded by ``START_SECONDS``)."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        query = dns.message.make_query("localhost", "A")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"unbound exited: {self.log()}")
            try:
                dns.query.udp(query, self.address, port=self.port, timeout=0.2)
                return
            except (dns.exception.Timeout, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"unbound did not answer within {START_SECONDS} s: {self.log()}")

    def log(self) -> str:
        texts = [
            p.read_text()
            for p in (self.directory / "stderr.log", self.directory / "unbound.log")
            if p.exists()
        ]
        return "\n".join(texts)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_SECONDS)


def unbound_installed() -> bool:
    return Path(UNBOUND).exists() and shutil.which(f"{UNBOUND}-checkconf") is not None
