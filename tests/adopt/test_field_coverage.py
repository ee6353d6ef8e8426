"""Every upstream field is either mapped into the site config or reported, never dropped.

The tables in ``tappaas.adopt.fields`` are checked against upstream's own field definitions
(read here from ``module-fields.json`` and ``configuration-fields.json``), and every field
present in the shipped example files is either mapped or listed in the import report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tappaas.adopt import NotImported, import_upstream
from tappaas.adopt.fields import CONFIGURATION_FIELDS, MODULE_FIELDS
from tappaas.adopt.upstream import is_comment
from tests.adopt.upstream_site import (
    CONFIGURATION_FIELDS as CONFIGURATION_FIELDS_FILE,
)
from tests.adopt.upstream_site import (
    MODULE_FIELDS as MODULE_FIELDS_FILE,
)
from tests.adopt.upstream_site import (
    UPSTREAM_SRC,
    configuration,
    write_json,
)


def _definitions(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_every_module_field_definition_has_a_handling() -> None:
    definitions = _definitions(MODULE_FIELDS_FILE)
    defined = set(definitions["fields"]) | set(definitions["fieldOrder"])
    assert len(defined) > 50  # the file really was read
    assert sorted(defined - MODULE_FIELDS.keys()) == []


def test_every_configuration_field_definition_has_a_handling() -> None:
    sections = _definitions(CONFIGURATION_FIELDS_FILE)["sections"]
    defined = {f"tappaas.{name}" for name in sections["tappaas"]["fields"]}
    defined |= {f"tappaas-nodes.{name}" for name in sections["tappaas-nodes"]["items"]["fields"]}
    assert {"tappaas.domain", "tappaas-nodes.ip"} <= defined
    assert sorted(defined - CONFIGURATION_FIELDS.keys()) == []


def test_every_handling_is_either_mapped_or_has_a_reason() -> None:
    for table in (MODULE_FIELDS, CONFIGURATION_FIELDS):
        for name, handling in table.items():
            assert handling.mapped != (handling.reason is not None), name


def _module_fields(data: dict[str, Any]) -> set[str]:
    fields = {k for k in data if not is_comment(k)}
    for block in data.get("config", {}).values():
        fields |= {k for k in block if not is_comment(k)}
    return fields


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[NotImported, ...]:
    config = write_json(tmp_path_factory.mktemp("site") / "configuration.json", configuration())
    return import_upstream(config, UPSTREAM_SRC).not_imported


def test_every_field_of_the_example_modules_is_mapped_or_reported(report) -> None:
    reported = {(entry.file, entry.field) for entry in report}
    checked = 0
    for path in sorted(UPSTREAM_SRC.rglob("*.json")):
        shown = path.relative_to(UPSTREAM_SRC).as_posix()
        if any(entry.file == shown and entry.field == "(file)" for entry in report):
            continue  # the whole file is reported (schemas, templates, zones)
        for field in _module_fields(json.loads(path.read_text())):
            handling = MODULE_FIELDS.get(field)
            if handling is None or not handling.mapped:
                assert (shown, field) in reported, (shown, field)
            checked += 1
    assert checked > 100


def test_unknown_fields_are_reported_by_name(tmp_path: Path) -> None:
    modules = tmp_path / "config"
    write_json(
        modules / "wiki.json",
        {
            "vmname": "wiki",
            "vmid": 400,
            "dependsOn": ["cluster:vm", "backup:vm"],
            "snapshotPolicy": "hourly",
            "config": {"cluster:vm": {"storage": "tanka1", "gpuPassthrough": True}},
        },
    )
    config = write_json(
        tmp_path / "configuration.json", configuration(upstreamGit="github.com/x/y")
    )
    report = {(e.file, e.field, e.reason) for e in import_upstream(config, modules).not_imported}
    unknown = "unknown field: not imported"
    assert ("wiki.json", "snapshotPolicy", unknown) in report
    assert ("wiki.json", "gpuPassthrough", unknown) in report
    assert (str(config), "tappaas.upstreamGit", unknown) in report
