"""Answers laid over an import: merge rules, and the decisions they close."""

from __future__ import annotations

from tappaas.adopt.answers import answered, overlay, value_at
from tappaas.adopt.result import Conversion, Decision, placeholder


def test_overlay_merges_mappings_replaces_the_rest_and_null_removes() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 2, "e": {"f": 3}}
    merged = overlay(base, {"a": {"c": [3]}, "d": None, "e": {"g": 4}, "h": 5})
    assert merged == {"a": {"b": 1, "c": [3]}, "e": {"f": 3, "g": 4}, "h": 5}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 2, "e": {"f": 3}}  # unchanged


def _conversion() -> Conversion:
    question = "fingerprint"
    return Conversion(
        site={
            "nodes": {"n1": {"address": "10.0.0.1", "fingerprint": placeholder(question)}},
            "cluster": {"api": {"address": "10.0.0.1", "fingerprint": placeholder(question)}},
            "remote": {"peer_stack": placeholder("peer")},
        },
        decisions=(
            Decision("cluster.api.fingerprint", question, "c.json: tappaas-nodes[0]"),
            Decision("nodes.n1.fingerprint", question, "c.json: tappaas-nodes[0]"),
            Decision("remote.peer_stack", "peer", "(none)"),
        ),
    )


def test_a_node_fingerprint_also_answers_the_cluster_api_on_that_node() -> None:
    done = answered(_conversion(), {"nodes": {"n1": {"fingerprint": "AA"}}}, "a.yaml")
    assert value_at(done.site, "cluster.api.fingerprint") == "AA"
    assert [d.path for d in done.decisions] == ["remote.peer_stack"]
    assert done.provenance["nodes.n1.fingerprint"] == "a.yaml: nodes.n1.fingerprint"


def test_a_peer_named_by_address_answers_the_peer_stack_question() -> None:
    done = answered(
        _conversion(), {"remote": {"address": "pbs.example:8007", "datastore": "x"}}, "a.yaml"
    )
    assert "peer_stack" not in done.site["remote"]
    assert "remote.peer_stack" not in {d.path for d in done.decisions}
