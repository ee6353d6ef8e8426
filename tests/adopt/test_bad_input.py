"""Bad upstream input: every problem is named by its file and field, before anything else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tappaas.adopt import UpstreamError, import_upstream
from tappaas.adopt.stack_file import StackFileError, existing_document
from tests.adopt.upstream_site import configuration, write_json

GUEST = {"vmname": "wiki", "vmid": 400, "dependsOn": ["cluster:vm"]}


def _issues(tmp_path: Path, modules: dict[str, Any], config: Any = None) -> set[tuple[str, str]]:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    for name, data in modules.items():
        path = folder / name
        if isinstance(data, str):
            path.write_text(data)
        else:
            write_json(path, data)
    config_path = write_json(
        tmp_path / "configuration.json", configuration() if config is None else config
    )
    with pytest.raises(UpstreamError) as raised:
        import_upstream(config_path, folder)
    return {(issue.file, issue.field) for issue in raised.value.issues}


def test_every_problem_of_every_file_in_one_error(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "broken.json": "{not json",
            "list.json": "[1, 2]",
            "wiki.json": {**GUEST, "vmid": "four hundred"},
            "mail.json": {**GUEST, "vmname": "mail", "vmid": 50},
            "chat.json": {**GUEST, "vmname": "chat_server"},
        },
    )
    assert issues == {
        ("broken.json", "(file)"),
        ("list.json", "(file)"),
        ("wiki.json", "vmid"),
        ("mail.json", "vmid"),
        ("chat.json", "vmname"),
    }


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"tappaas": {}}, "tappaas-nodes"),
        ({"tappaas": {}, "tappaas-nodes": []}, "tappaas-nodes"),
        ({"tappaas-nodes": [{"hostname": "tappaas1", "ip": "10.0.0.10"}]}, "tappaas"),
        ({"tappaas": {}, "tappaas-nodes": [{"ip": "10.0.0.10"}]}, "tappaas-nodes[0].hostname"),
        (
            {"tappaas": {"nodeCount": "three"}, "tappaas-nodes": [{"hostname": "a", "ip": "x"}]},
            "tappaas.nodeCount",
        ),
    ],
)
def test_configuration_problems_name_the_field(
    tmp_path: Path, config: dict[str, Any], field: str
) -> None:
    issues = _issues(tmp_path, {"wiki.json": GUEST}, config)
    assert (str(tmp_path / "configuration.json"), field) in issues


def test_a_node_listed_twice(tmp_path: Path) -> None:
    config = configuration(2)
    config["tappaas-nodes"][1]["hostname"] = "tappaas1"
    issues = _issues(tmp_path, {"wiki.json": GUEST}, config)
    assert (str(tmp_path / "configuration.json"), "tappaas-nodes[1].hostname") in issues


def test_references_between_files(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "wiki.json": {**GUEST, "node": "tappaas9"},
            "mail.json": {
                **GUEST,
                "vmname": "mail",
                "vmid": 401,
                "dependsOn": ["cluster:vm", "cluster:ha"],
                "config": {"cluster:ha": {"HANode": "tappaas1"}},
            },
            "chat.json": {**GUEST, "vmname": "chat", "vmid": 400},
            "copy.json": {**GUEST, "vmname": "chat", "vmid": 402},
        },
    )
    assert issues == {
        ("wiki.json", "node"),  # not a node of configuration.json
        ("mail.json", "config.cluster:ha.HANode"),  # its own node: HA needs another
        ("wiki.json", "vmid"),  # 400 is also chat.json (files are read in name order)
        ("copy.json", "vmname"),  # 'chat' is also chat.json
    }


def test_pattern_a_rules_are_upstream_rules(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "wiki.json": {
                **GUEST,
                "storage": "tanka1",
                "config": {
                    "cluster:vm": {"storage": "tankb1", "cores": 2},
                    "firewall:proxy": {"proxyPort": 80},
                    "backup:vm": {"cores": 4},
                },
            }
        },
    )
    assert issues == {
        ("wiki.json", "config.cluster:vm.storage"),  # also at the top level
        ("wiki.json", "config.firewall:proxy"),  # not in dependsOn
        ("wiki.json", "config.backup:vm"),  # not in dependsOn
        ("wiki.json", "config.backup:vm.cores"),  # also in config.cluster:vm
    }


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    config = write_json(tmp_path / "configuration.json", configuration())
    with pytest.raises(UpstreamError) as missing:
        import_upstream(config, tmp_path / "nowhere")
    assert str(missing.value).endswith("nowhere: (file): is not a folder")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UpstreamError, match="holds no module JSON files"):
        import_upstream(config, tmp_path / "empty")


def test_an_existing_stack_file_with_a_key_given_twice_is_not_rewritten(tmp_path: Path) -> None:
    """Rewriting it would silently keep one of the two values (PyYAML keeps the last)."""
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text("config:\n  tappaas:pve: 1\n  tappaas:pve: 2\n")
    with pytest.raises(StackFileError, match="given twice in one mapping"):
        existing_document(stack)
