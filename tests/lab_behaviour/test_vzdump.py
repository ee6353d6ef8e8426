"""vzdump jobs: guests per node in VMID order, names, notes, prune choice, storage errors."""

from __future__ import annotations

import pytest

from lab.behaviour.prune import PveKeepOptions
from lab.behaviour.snapshots import BackupGroup
from lab.behaviour.vzdump import (
    BackupSelection,
    Guest,
    backup_group,
    backup_volume_id,
    guests_per_node,
    prune_options,
    render_notes,
    unreachable_storage_error,
)

GUESTS = [
    Guest(102, "node1", "db"),
    Guest(100, "node1", "web"),
    Guest(101, "node2", kind="lxc"),
    Guest(103, "node2"),
]


def test_all_minus_exclude_per_node_ascending():
    selection = BackupSelection(all=True, exclude=(103,))
    assert guests_per_node(selection, GUESTS) == {"node1": [100, 102], "node2": [101]}


def test_vmid_list_pool_and_node_limit():
    assert guests_per_node(BackupSelection(vmids=(103, 100, 999)), GUESTS) == {
        "node1": [100],
        "node2": [103],
        "": [999],
    }
    assert guests_per_node(BackupSelection(pool_members=(101,), vmids=(100,)), GUESTS) == {
        "node2": [101]
    }
    assert guests_per_node(BackupSelection(all=True, node="node2"), GUESTS) == {"node2": [101, 103]}
    assert guests_per_node(BackupSelection(), GUESTS) == {}


def test_group_and_volume_id():
    assert backup_group(GUESTS[2]) == BackupGroup.parse("ct/101")
    group = backup_group(GUESTS[1])
    assert backup_volume_id("pbs-local", group, 1_736_992_804) == (
        "pbs-local:backup/vm/100/2025-01-16T02:00:04Z"
    )


def test_notes_template():
    template = "{{guestname}} ({{vmid}}) on {{node}}/{{cluster}}\\nline \\\\ two"
    assert render_notes(template, GUESTS[1], "node1", "tappaas") == (
        "web (100) on node1/tappaas\nline \\ two"
    )
    assert render_notes("{{guestname}} {{cluster}}", GUESTS[3], "node2", None) == (
        "VM 103 standalone node"
    )


def test_bad_notes_templates_are_rejected_like_pve():
    with pytest.raises(ValueError, match=r"found unknown: escape sequence '\\t' at char 1"):
        render_notes("a\\tb", GUESTS[0], "node1", None)
    with pytest.raises(ValueError, match="variable 'host' at char 4"):
        render_notes("{{host}}", GUESTS[0], "node1", None)
    with pytest.raises(ValueError, match="contains a line feed"):
        render_notes("a\nb", GUESTS[0], "node1", None)


def test_prune_options_job_then_storage_then_keep_all():
    job, storage = PveKeepOptions(daily=7), PveKeepOptions(last=3)
    assert prune_options(job, storage) == job
    assert prune_options(None, storage) == storage
    assert prune_options(None, None) is None
    assert prune_options(job, storage, remove=False) is None
    assert prune_options(PveKeepOptions(keep_all=True), storage) is None


def test_unreachable_pbs_message():
    assert unreachable_storage_error("pbs-local", "10.0.0.5") == (
        "could not activate storage 'pbs-local': pbs-local: error fetching datastores - "
        "500 Can't connect to 10.0.0.5:8007 (Connection refused)"
    )
