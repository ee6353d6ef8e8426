"""What a user sees when one of our providers fails under the real engine: one line.

The object, the call or the reason, Proxmox's words and what to do — no Python traceback,
which only ``pulumi up --debug`` shows (``providers/_errors.py``). The case: a datastore of
the declared name already exists on another path, so the create refuses to take it over.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tappaas.automation.pulumi_cli import PulumiCommandError
from tests.engine.lab_project import lab_project
from tests.providers.harness import lab_client

pytestmark = pytest.mark.engine
ELSEWHERE = "/elsewhere/tappaas_backup"


def test_a_refused_adoption_reads_as_one_line_and_debug_has_the_traceback(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory)
    pbs = lab_client(project.lab.pbs["local"])
    pbs.wait_for_task(pbs.post("/config/datastore", name="tappaas_backup", path=ELSEWHERE))

    with pytest.raises(PulumiCommandError) as failed:
        project.pulumi.up(lab_stacks.SITE_STACK)
    output = failed.value.output
    assert "Traceback" not in output
    lines = {text.strip() for text in output.splitlines()}
    (line,) = {text for text in lines if text.startswith("error: tappaas:")}
    assert line.startswith("error: tappaas: PbsDatastore 'tappaas_backup' on PBS 127.0.0.1:")
    assert f"already exists with path='{ELSEWHERE}'" in line
    assert "not taken over" in line and "pulumi config set --path tappaas:site.backup.path" in line

    with pytest.raises(PulumiCommandError) as debugged:
        project.pulumi.up(lab_stacks.SITE_STACK, extra=["--debug"])
    assert "raise AdoptionRefusedError(refusal)" in debugged.value.output
    stores = {d["name"]: d["path"] for d in pbs.get("/config/datastore")}
    assert stores["tappaas_backup"] == ELSEWHERE  # left as it was


def test_an_unreadable_cluster_stops_the_preview_with_one_line_naming_cluster_api(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    """The program reads which pools and HA objects exist before it declares them; a cluster
    it cannot read (here: not the pinned certificate) is one line, not a traceback."""
    project = lab_project(engine, tmp_path, lab_factory)
    wrong = ":".join(["AB"] * 32)
    project.pulumi.run(
        "config", "set", "--path", "tappaas:site.cluster.api.fingerprint", wrong,
        "--stack", lab_stacks.SITE_STACK,
    )  # fmt: skip

    with pytest.raises(PulumiCommandError) as failed:
        project.pulumi.preview(lab_stacks.SITE_STACK)
    output = failed.value.output
    assert "Traceback" not in output
    lines = {text.strip() for text in output.splitlines()}
    (line,) = {text for text in lines if text.startswith("error: cannot read")}
    assert f"at {project.lab.pve.url} (cluster.api)" in line
    assert "not the pinned" in line and "check cluster.api's address, fingerprint" in line
