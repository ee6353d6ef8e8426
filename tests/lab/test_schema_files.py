"""Schema files: both download forms load, the newest wins, and every lab route is official."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.handlers import pbs as pbs_handlers
from lab.handlers import pve as pve_handlers
from lab.schema.files import SchemaFileError, find_schema_file, load_apidoc
from lab.schema.tree import RouteTree, split_template

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "proxmox-schema"
PVE_FILE = SCHEMA_DIR / "pve-9.2-apidoc.json"
PBS_FILE = SCHEMA_DIR / "pbs-4.x-apidoc.json"


def test_the_viewer_script_form_loads_like_the_json_form(tmp_path):
    tree = load_apidoc(PBS_FILE)
    script = tmp_path / "pbs-apidoc.js"
    script.write_text("// viewer\nconst apiSchema = " + json.dumps(tree) + ";\nlet x = [1, 2];\n")
    assert load_apidoc(script) == tree


def test_a_file_without_a_tree_is_refused(tmp_path):
    bad = tmp_path / "pve-broken.js"
    bad.write_text("let nothing = 1;")
    with pytest.raises(SchemaFileError):
        load_apidoc(bad)


def test_the_highest_version_is_chosen(tmp_path):
    for name in (
        "pve-9.1-apidata.json",
        "pve-9.10-apidoc.json",
        "pve-9.2-apidoc.json",
        "pbs-4.x.json",
    ):
        (tmp_path / name).write_text("[]")
    assert find_schema_file(tmp_path, "pve") == tmp_path / "pve-9.10-apidoc.json"
    assert find_schema_file(tmp_path, "pbs") == tmp_path / "pbs-4.x.json"
    assert find_schema_file(tmp_path / "missing", "pve") is None


@pytest.mark.parametrize(
    ("schema_file", "routes"),
    [(PVE_FILE, pve_handlers.ROUTES), (PBS_FILE, pbs_handlers.ROUTES)],
    ids=["pve", "pbs"],
)
def test_every_lab_route_exists_in_the_official_schema(schema_file, routes):
    tree = RouteTree.from_apidoc(load_apidoc(schema_file))
    missing = []
    for route in routes:
        segments = [s.strip("{}") for s in split_template(route.template)]
        resolution = tree.resolve(route.method, segments)
        if resolution is None or resolution.method is None or resolution.template != route.template:
            missing.append(f"{route.method} {route.template}")
    assert missing == []


def test_routing_prefers_literal_segments_and_binds_placeholders():
    tree = RouteTree.from_apidoc(load_apidoc(PVE_FILE))
    found = tree.resolve("GET", ["nodes", "tappaas1", "qemu", "100", "config"])
    assert found is not None and found.method is not None
    assert found.template == "/nodes/{node}/qemu/{vmid}/config"
    assert found.uri_params == {"node": "tappaas1", "vmid": "100"}
    assert tree.resolve("GET", ["no-such-area"]) is None
    patch = tree.resolve("PATCH", ["version"])
    assert patch is not None and patch.method is None
