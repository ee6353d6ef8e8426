"""The pull-request preview the example CI workflows run, on the lab.

The workflows (``.github/workflows/pr-preview.yml``, ``.forgejo/workflows/pr-preview.yml``)
call ``make preview``, which runs ``scripts/pr-preview.sh``; this test runs that script as
the CI would (backend and passphrase from the environment), so the examples cannot rot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lab import Lab
from tappaas.automation import Engine, lab_stacks
from tests.conftest import REPO
from tests.engine.lab_project import EXAMPLES, LabProject, lab_project

pytestmark = pytest.mark.engine
WORKFLOWS = (".github/workflows/pr-preview.yml", ".forgejo/workflows/pr-preview.yml")
CLOUD_EXAMPLE = "Pulumi.cloud.yaml"
SKIP_MARKER = "# ci-preview: skip"


def _preview(project: LabProject, out: Path, stacks: str) -> subprocess.CompletedProcess[str]:
    env = {**project.pulumi.env, "STACKS": stacks, "PROJECT_DIR": str(project.directory)}
    return _script(out, env)


def _script(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "scripts" / "pr-preview.sh"), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_the_workflows_run_make_preview() -> None:
    for path in WORKFLOWS:
        workflow = yaml.safe_load((REPO / path).read_text())
        runs = [step.get("run", "") for step in workflow["jobs"]["preview"]["steps"]]
        assert any("make setup" in run for run in runs), path
        assert any("make preview PREVIEW_OUT=preview.md" in run for run in runs), path
    makefile = (REPO / "Makefile").read_text()
    assert "scripts/pr-preview.sh $(PREVIEW_OUT)" in makefile


def test_pr_preview_reports_findings_and_planned_changes(
    engine: Engine, tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    project = lab_project(engine, tmp_path, lab_factory, examples=(*EXAMPLES, CLOUD_EXAMPLE))
    out = tmp_path / "preview.md"
    done = _preview(project, out, f"{lab_stacks.SITE_STACK} cloud")
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text()
    assert "### `pulumi preview` of stack `lab`: deployable" in text
    assert "### `pulumi preview` of stack `cloud`: not run in CI" in text  # its marker
    assert "needs the cloud's Pulumi plugins and credentials" in text
    assert "Planned: 51 to create." in text
    assert "| create | `tanka1-tappaas1` (proxmoxve:node/disk/zfs:Zfs) |" in text
    # A preview of new objects writes nothing and reads only what the program asks to know
    # which pools and HA objects exist already (to adopt an interrupted up's leftovers).
    adoption_lists = {"/cluster/ha/resources", "/cluster/ha/rules"} | {
        f"/nodes/{node}/disks/zfs" for node in ("tappaas1", "tappaas2", "tappaas3")
    }
    requests = project.lab.control.requests()
    assert {(r.method, r.path) for r in requests} <= {("GET", path) for path in adoption_lists}

    project.pulumi.up(lab_stacks.SITE_STACK)
    again = _preview(project, out, lab_stacks.SITE_STACK)
    assert again.returncode == 0 and "No changes: every resource is up to date." in out.read_text()

    stack_file = project.stack_file(lab_stacks.SITE_STACK)
    document = yaml.safe_load(stack_file.read_text())
    del document["config"]["tappaas:site"]["remote"]
    stack_file.write_text(yaml.safe_dump(document))
    blocked = _preview(project, out, lab_stacks.SITE_STACK)
    text = out.read_text()
    assert blocked.returncode == 1
    assert "of stack `lab`: blocked" in text
    assert "| error | `321-offsite` | `services.nextcloud` |" in text
    assert "The preview failed:" in text  # the program's policy gate stops the preview too


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_a_program_change_previews_every_stack_but_those_marked_not_for_ci(
    tmp_path: Path,
) -> None:
    """The stacks a change selects, without an engine: a change to the program selects every
    non-lab stack, and a stack file marked ``# ci-preview: skip`` (the cloud example, whose
    preview needs cloud plugins and credentials) is named with its reason, never run."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", CLOUD_EXAMPLE):
        shutil.copy(REPO / name, project / name)
    (project / "Pulumi.lab.yaml").write_text("config: {}\n")
    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", ".")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "base")
    (project / "tappaas").mkdir()
    (project / "tappaas" / "changed.py").write_text("")
    _git(project, "add", ".")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "pr")
    assert SKIP_MARKER in (REPO / CLOUD_EXAMPLE).read_text()

    env = {
        **{k: v for k, v in os.environ.items() if k != "STACKS"},
        "PR_BASE": "HEAD~1",
        "PROJECT_DIR": str(project),
        "TAPPAAS": "false",  # any preview would fail the run
    }
    out = tmp_path / "preview.md"
    done = _script(out, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipping cloud (not previewable in CI: needs the cloud's" in done.stderr
    assert "previewing" not in done.stderr  # neither cloud nor the lab stack
    assert out.read_text() == (
        "### `pulumi preview` of stack `cloud`: not run in CI\n\n"
        "needs the cloud's Pulumi plugins and credentials, which CI runners lack\n\n"
    )

    (project / "Pulumi.home.yaml").write_text("config: {}\n")  # no marker: previewed
    _git(project, "add", ".")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "home")
    failed = _script(out, {**env, "PR_BASE": "HEAD~2"})
    assert failed.returncode == 1  # `false` stood for its preview
    assert "previewing home" in failed.stderr and "skipping cloud" in failed.stderr
