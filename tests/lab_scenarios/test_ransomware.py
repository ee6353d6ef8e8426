"""Ransomware with the site's credentials: the peer's pulled copies survive; with push and
remove-vanished they do not."""

from __future__ import annotations

from lab.scenarios import ransomware
from lab.scenarios.client import api
from lab.scenarios.common import local_times


def _copies(configured) -> int:
    peer = api(configured.lab.pbs["peer"])
    return len(peer.admin.datastore("tappaas_backup").snapshots.get(ns="remote/home"))


def test_pulled_copies_survive_the_site_admins_credentials(site_lab, prod, peer):
    configured = site_lab(prod, peer)
    result = ransomware.play(configured)
    assert result.ok, result.checks
    assert local_times(configured) == {}
    assert configured.lab.control.snapshots("peer", "tappaas_backup", "remote/home")
    assert _copies(configured) == 7 * len(prod.services)


def test_pushed_copies_with_remove_vanished_are_destroyed(site_lab, prod, peer):
    site, pushed_peer = ransomware.push_variant(prod, peer)
    configured = site_lab(site, pushed_peer)
    assert configured.writer_token is not None and configured.reader_token is None
    result = ransomware.play(configured)
    assert result.ok, result.checks
    assert _copies(configured) == 0
    pushes = [e for e in result.timeline if e.kind == "sync"]
    assert pushes and pushes[0].source == "pbs/local"  # the attacker ran the push job
