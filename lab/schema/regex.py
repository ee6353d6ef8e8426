"""Schema patterns of both products, translated to Python ``re``.

PVE patterns are Perl regexes matched as ``m/^$pattern$/`` (no group around the pattern, so
an alternation binds to the anchors as Perl would) and may embed compiled Perl regexes as
``(?^flags:…)``. PBS patterns are ``/^…$/`` strings in Rust ``regex`` syntax with POSIX
classes such as ``[[:^cntrl:]]``; Rust's ``$`` matches only at the very end of the text.
"""

from __future__ import annotations

import re
from functools import cache

_PERL_EMBEDDED = re.compile(r"\(\?\^([a-z]*):")
_CNTRL = r"\x00-\x1f\x7f"
_POSIX_CLASSES = {
    "[[:^cntrl:]]": f"[^{_CNTRL}]",
    "[[:cntrl:]]": f"[{_CNTRL}]",
    "[:cntrl:]": _CNTRL,
    "[[:alpha:]]": "[A-Za-z]",
    "[[:digit:]]": "[0-9]",
    "[[:alnum:]]": "[A-Za-z0-9]",
    "[[:space:]]": r"[\s]",
}


def _perl_flags(match: re.Match[str]) -> str:
    flags = "".join(f for f in match.group(1) if f in "imsx")
    return f"(?{flags}:" if flags else "(?:"


@cache
def pve_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a PVE schema pattern with Perl's implicit anchors."""
    return re.compile("^" + _PERL_EMBEDDED.sub(_perl_flags, pattern) + "$")


@cache
def pbs_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a PBS ``/…/`` pattern; a trailing ``$`` becomes ``\\Z`` as in Rust."""
    body = pattern[1:-1] if len(pattern) >= 2 and pattern[0] == pattern[-1] == "/" else pattern
    for posix, python in _POSIX_CLASSES.items():
        body = body.replace(posix, python)
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1] + r"\Z"
    return re.compile(body)


def pve_matches(pattern: str, value: str) -> bool:
    """Whether PVE would accept ``value`` for ``pattern``."""
    return pve_pattern(pattern).search(value) is not None


def pbs_matches(pattern: str, value: str) -> bool:
    """Whether PBS would accept ``value`` for ``pattern`` (Rust ``is_match``: a search)."""
    return pbs_pattern(pattern).search(value) is not None
