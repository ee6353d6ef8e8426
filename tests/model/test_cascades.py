"""Problems are reported where the admin wrote something, not at keys derived from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.model.sites import issues_of, small_site

Raw = dict[str, Any]


def bad_datastore(raw: Raw) -> None:
    raw["backup"]["pbs"]["datastore"] = "bad name!"


def unknown_importance(raw: Raw) -> None:
    raw["services"]["web"]["importance"] = "urgent"


def bad_node_name(raw: Raw) -> None:
    raw["nodes"] = {"Bad_Node": raw["nodes"]["tappaas1"]}


def unreadable_ha_flag(raw: Raw) -> None:
    raw["services"]["web"]["ha"] = {"enabled": "maybe"}


def bad_pool_name(raw: Raw) -> None:
    raw["datapools"] = {"Tank A": raw["datapools"]["tanka1"], **raw["datapools"]}


def bad_site_name(raw: Raw) -> None:
    raw["name"] = "bad name"


@pytest.mark.parametrize(
    ("mutate", "only_path"),
    [
        (bad_datastore, "backup.pbs.datastore"),  # not also .path and .storage_id
        (unknown_importance, "services.web.importance"),  # not also rpo_target: Field required
        (bad_node_name, "nodes.Bad_Node"),  # not also every failover_node
        (unreadable_ha_flag, "services.web.ha.enabled"),  # not also replication: Field required
        (bad_pool_name, "datapools.Tank A"),  # not also its storage_id
        (bad_site_name, "name"),  # not also remote.namespace
    ],
)
def test_one_mistake_one_issue(mutate: Callable[[Raw], None], only_path: str) -> None:
    raw = small_site()
    mutate(raw)
    assert [path for path, _ in issues_of(raw)] == [only_path]


def test_an_issue_at_a_written_derived_key_is_kept() -> None:
    raw = small_site()
    bad_datastore(raw)
    raw["backup"]["pbs"]["storage_id"] = "Also Bad"
    assert [path for path, _ in issues_of(raw)] == ["backup.pbs.datastore", "backup.pbs.storage_id"]


def test_an_unexplained_issue_at_a_default_says_where_it_came_from() -> None:
    """A valid PBS datastore name that is no valid PVE storage ID."""
    raw = small_site()
    raw["backup"]["pbs"]["datastore"] = "Backup_1"
    [(path, message)] = issues_of(raw)
    assert path == "backup.pbs.storage_id"
    assert message.endswith(
        "(not written: its default comes from backup.pbs.datastore; set backup.pbs.storage_id "
        "to choose another)"
    )
