"""Property tests: any input gives a SiteConfig or a ConfigError, and the policy is a function."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tappaas.model import ConfigError, SiteConfig, load_site_config
from tappaas.policy import evaluate, protection_report
from tests.model.sites import EXAMPLE_STACKS, example, small_site

SEEDS = [small_site(1), small_site(2), small_site(3), *(example(s) for s in EXAMPLE_STACKS)]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "tappaas1",
            "tappaas9",
            "tanka1",
            "tankb1",
            "tankc1",
            "pull",
            "push",
            "high",
            "low",
            "*/15",
            "daily",
            "forever",
            "02:00",
            "mirror",
            "none",
            "important",
            "bulk",
            "backup",
            "peer",
            "site",
            "cloud-recovery",
            "15m",
            "web",
            "db",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a nested mapping/list."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated_sites(draw: st.DrawFn) -> dict[str, Any]:
    """A valid seed config with one to three random edits: replace, delete or add a key."""
    raw: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        targets = paths(raw)
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = raw
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(max_size=8))] = draw(values)
    return raw


def load_or_error(raw: Any) -> SiteConfig | ConfigError:
    try:
        return load_site_config(raw)
    except ConfigError as error:
        assert error.issues, "a ConfigError always lists its issues"
        assert all(issue.path and issue.message for issue in error.issues)
        return error


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sites())
def test_mutated_configs_give_a_model_or_a_config_error(raw: dict[str, Any]) -> None:
    result = load_or_error(raw)
    if isinstance(result, SiteConfig):
        first = (evaluate(result), protection_report(result))
        again = load_site_config(copy.deepcopy(raw))
        assert (evaluate(again), protection_report(again)) == first


@settings(max_examples=200, deadline=None)
@given(st.one_of(values, st.dictionaries(st.sampled_from(list(small_site())), values)))
def test_arbitrary_documents_give_a_model_or_a_config_error(raw: Any) -> None:
    load_or_error(raw)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SEEDS))
def test_policy_is_deterministic(raw: dict[str, Any]) -> None:
    site = load_site_config(raw)
    assert evaluate(site) == evaluate(site) == evaluate(load_site_config(copy.deepcopy(raw)))
    assert protection_report(site).model_dump() == protection_report(site).model_dump()
