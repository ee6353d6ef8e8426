"""Group filters and namespace mapping, as PBS sync jobs apply them."""

from __future__ import annotations

import pytest

from lab.behaviour.group_filter import FilterKind, GroupFilter, apply_filters
from lab.behaviour.namespaces import check_depth_limit, depth, map_prefix, subtree
from lab.behaviour.snapshots import BackupGroup

VM100, VM210, CT300 = (BackupGroup.parse(g) for g in ("vm/100", "vm/210", "ct/300"))


def filters(*texts: str) -> tuple[GroupFilter, ...]:
    return tuple(GroupFilter.parse(t) for t in texts)


def test_parse_forms_and_round_trip():
    parsed = GroupFilter.parse("exclude:regex:^vm/1\\d\\d$")
    assert (parsed.kind, parsed.value, parsed.exclude) == (FilterKind.REGEX, "^vm/1\\d\\d$", True)
    assert GroupFilter.parse("type:ct") == GroupFilter(FilterKind.TYPE, "ct")
    assert str(GroupFilter.parse("group:vm/100")) == "include:group:vm/100"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("vm/100", "doesn't match expected format"),
        ("name:vm/100", "expected 'group', 'type' or 'regex' prefix, got 'name'"),
        ("type:lxc", "'lxc' is not a valid BackupType"),
        ("group:vm", "unable to parse backup group path 'vm'"),
    ],
)
def test_malformed_filters_are_rejected(text, message):
    with pytest.raises(ValueError, match=message):
        GroupFilter.parse(text)


def test_regex_is_an_unanchored_search_on_type_slash_id():
    only_10 = filters("regex:10")
    assert apply_filters(VM100, only_10)
    assert apply_filters(VM210, only_10)
    assert not apply_filters(CT300, only_10)


def test_includes_select_and_excludes_win():
    assert all(apply_filters(g, ()) for g in (VM100, VM210, CT300))
    vms_but_210 = filters("type:vm", "exclude:group:vm/210")
    assert [apply_filters(g, vms_but_210) for g in (VM100, VM210, CT300)] == [True, False, False]
    only_excludes = filters("exclude:type:ct")
    assert [apply_filters(g, only_excludes) for g in (VM100, VM210, CT300)] == [True, True, False]
    any_include = filters("group:vm/100", "type:ct")
    assert [apply_filters(g, any_include) for g in (VM100, VM210, CT300)] == [True, False, True]


def test_map_prefix_swaps_anchors():
    assert map_prefix("site/a/b", "site", "peer/site") == "peer/site/a/b"
    assert map_prefix("site", "site", "") == ""
    assert map_prefix("a", "", "peer") == "peer/a"
    with pytest.raises(ValueError, match="not within"):
        map_prefix("sitex/a", "site", "peer")


def test_subtree_honours_max_depth_and_orders_parents_first():
    all_ns = ["", "site/a/b", "site", "site/a", "sitex", "site/c"]
    assert subtree(all_ns, "site", 0) == ["site"]
    assert subtree(all_ns, "site", 1) == ["site", "site/a", "site/c"]
    assert subtree(all_ns, "site") == ["site", "site/a", "site/c", "site/a/b"]
    assert subtree(all_ns, "", 1) == ["", "site", "sitex"]
    assert [depth(ns) for ns in ("", "a", "a/b/c")] == [0, 1, 3]


def test_depth_limit():
    check_depth_limit("site", "a/b/c/d/e", ["site", "site/x/y"])  # 2 + 5 = 7 fits
    with pytest.raises(ValueError, match=r"source subtree depth \(2\) \+ target depth \(6\)"):
        check_depth_limit("site", "a/b/c/d/e/f", ["site", "site/x/y"])
