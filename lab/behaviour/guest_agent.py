"""What a lab guest's agent does with a command (``guest-exec``): a tiny model of a shell.

A healthy guest runs every command successfully with empty output, except these, which the
drills' probes use and which it answers as Linux would:

- ``false`` exits 1; ``systemctl is-active <unit>`` prints ``active`` and exits 0;
- ``nc -z -w <s> <host> <port>``: exit 0 when ``host`` is reachable from this guest (same
  bridge and VLAN, running, booted), else 1 (``nc`` prints nothing with ``-z``);
- ``curl … -w %{http_code} … <url>``: prints ``200`` when the URL's host is reachable, else
  ``000`` and exits 7 ("Failed to connect to host", curl's exit code 7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["CURL_CONNECT_FAILED", "HTTP_OK", "CommandResult", "run_command"]

CURL_CONNECT_FAILED = 7
HTTP_OK = "200"


@dataclass(frozen=True)
class CommandResult:
    exitcode: int
    out: str = ""
    err: str = ""


def run_command(argv: Sequence[str], reachable: Callable[[str], bool]) -> CommandResult:
    """The result of ``argv`` in a healthy guest; ``reachable(host)`` is the network."""
    if not argv:
        return CommandResult(127, err="no command")
    program, args = argv[0].rsplit("/", 1)[-1], list(argv[1:])
    if program == "false":
        return CommandResult(1)
    if program == "systemctl" and args[:1] == ["is-active"]:
        return CommandResult(0, out="active\n")
    if program == "nc" and "-z" in args and len(args) >= 2:
        return CommandResult(0 if reachable(args[-2]) else 1)
    if program == "curl" and args:
        host = urlsplit(args[-1]).hostname or ""
        if reachable(host):
            return CommandResult(0, out=HTTP_OK)
        return CommandResult(CURL_CONNECT_FAILED, out="000", err="Failed to connect")
    return CommandResult(0)
