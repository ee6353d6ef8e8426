"""The internet-failure drill: what the site's resolvers answer, and would answer offline.

Public API::

    from tappaas.internet import run_internet_drill, InternetDrill, Status

- ``run_internet_drill(site, unbound=None, timeout=…) -> InternetDrill`` asks every resolver
  of ``site.network`` for every declared name over UDP and TCP (``dnspython``), plus its
  outside names and one random never-cached name, and judges each answer (``verdict``);
  ``unbound`` is the firewall's Unbound settings when read from OPNsense
  (``tappaas.opnsense.read_unbound``), compared with the declared names.
- ``Status`` is the monitoring convention: OK 0, WARN 1, CRIT 2, UNKNOWN 3 (a source did
  not answer); ``InternetDrill.status`` is the worst of its rows.

Read-only: the drill sends DNS queries and HTTP GETs, nothing else (its queries do fill the
resolver's cache, as any client's would).
"""

from tappaas.internet.drill import DEFAULT_TIMEOUT, run_internet_drill
from tappaas.internet.probe import QueryOutcome, Transport
from tappaas.internet.report import InternetDrill, NameCheck, NameKind, ResolverCheck
from tappaas.internet.verdict import Origin, Status

__all__ = [
    "DEFAULT_TIMEOUT",
    "InternetDrill",
    "NameCheck",
    "NameKind",
    "Origin",
    "QueryOutcome",
    "ResolverCheck",
    "Status",
    "Transport",
    "run_internet_drill",
]
