"""Readers of a site's live state (``tappaas status``), through ``tappaas.pve``/``pbs``.

Public API::

    from tappaas.observe import observe, Sources, PeerAccess

``observe(site, sources, drills) -> Observation`` reads with GETs only; an unreachable source
leaves its areas ``None`` and is named in ``observation.unreachable``.
"""

from tappaas.observe.readers import SiteReader, observe
from tappaas.observe.sources import LOCAL_PBS, PEER, PVE, PeerAccess, Sources

__all__ = ["LOCAL_PBS", "PEER", "PVE", "PeerAccess", "SiteReader", "Sources", "observe"]
