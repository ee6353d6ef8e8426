"""``tappaas peer check`` and ``tappaas peer anchor``: a PBS's history, safe from its writer.

``check`` (read-only, monitoring exit codes 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN) lists the
snapshots of the stack's own namespace and of every guest's copy: any snapshot dated after
now + skew is CRIT (forged dates turn prune into deletion); a month of a guest's copy with no
anchor is WARN. ``anchor`` (run daily on the peer after its pulls) protects one verified
snapshot per group and month of every guest's copy and releases anchors as the retention
allows, yearly ones never. Both use the stack's PBS admin token from its secret config.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tappaas.cli.check import require_file
from tappaas.cli.errors import InputError, OperationFailed
from tappaas.cli.passphrase import require_passphrase
from tappaas.model import ConfigError, SiteConfig, load_stack_file
from tappaas.policy.snapshot_clock import DEFAULT_CLOCK_SKEW, Health

if TYPE_CHECKING:
    from tappaas.automation.history_guard import HistoryReport
    from tappaas.client import ProxmoxClient
    from tappaas.policy.anchors import AnchorPlan

MAX_LISTED = 10
DEFAULT_SKEW_MINUTES = int(DEFAULT_CLOCK_SKEW.total_seconds() // 60)

Stack = Annotated[str, typer.Option("--stack", help="Stack name: reads Pulumi.<stack>.yaml.")]
Dir = Annotated[Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")]
Backend = Annotated[
    Path, typer.Option("--backend", help="Local state backend (for the PBS token secret).")
]
SkewMinutes = Annotated[
    int, typer.Option("--skew-minutes", min=0, help="Clock skew tolerated, in minutes.")
]


def format_history_report(report: HistoryReport) -> str:
    """The verdict line, then the forged snapshots and the months without anchors."""
    lines = [
        f"{report.health.name}: {report.snapshots} snapshots, {len(report.future)} dated in "
        f"the future, {report.anchors} anchors kept"
    ]
    if report.future:
        lines.append("Dated after now + skew (prune would keep these and delete the history):")
        lines += [f"  {s.name}" for s in report.future[:MAX_LISTED]]
        if len(report.future) > MAX_LISTED:
            lines.append(f"  … and {len(report.future) - MAX_LISTED} more")
    if report.unanchored:
        lines.append("Months of a copy without an anchor yet (run `tappaas peer anchor`):")
        lines += [f"  {ns}/{group} {month}" for ns, group, month in report.unanchored]
    return "\n".join(lines)


def format_anchor_plan(plan: AnchorPlan) -> str:
    lines = [f"anchored {len(plan.protect)}, released {len(plan.release)}, kept {len(plan.kept)}"]
    lines += [f"  + {s.name}" for s in plan.protect]
    lines += [f"  - {s.name}" for s in plan.release]
    return "\n".join(lines)


def _site_and_client(
    stack: str, project_dir: Path, backend: Path
) -> tuple[SiteConfig, ProxmoxClient]:
    from tappaas.automation import lab_stacks  # noqa: PLC0415  (loads Pulumi)
    from tappaas.automation.config_secrets import (  # noqa: PLC0415
        ConfigSecretError,
        read_config_secrets,
    )
    from tappaas.automation.history_guard import pbs_client  # noqa: PLC0415

    path = project_dir / f"Pulumi.{stack}.yaml"
    require_file(path)
    try:
        site = load_stack_file(path)
    except (ConfigError, OSError) as error:
        raise InputError(f"{path}: {error}") from None
    if site.backup is None:
        raise InputError(f"{path}: no backup section, so no PBS to check")
    require_passphrase(project_dir, stack)
    key = site.backup.pbs.api_token.token_secret.secret
    state = backend if backend.is_absolute() else project_dir / backend
    try:
        secrets = read_config_secrets(
            project_dir, stack, [key], state, passphrase=lab_stacks.passphrase_for(path)
        )
    except ConfigSecretError as exc:
        raise OperationFailed(str(exc)) from None
    return site, pbs_client(site, secrets[key])


def check(
    stack: Stack,
    project_dir: Dir = Path(),
    backend: Backend = Path(".pulumi-state"),
    skew_minutes: SkewMinutes = DEFAULT_SKEW_MINUTES,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Forged (future) snapshot dates and missing anchors (0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN)."""
    from tappaas.automation.history_guard import check as check_history  # noqa: PLC0415
    from tappaas.client import ProxmoxError  # noqa: PLC0415

    try:
        site, client = _site_and_client(stack, project_dir, backend)
        report = check_history(client, site, datetime.now(UTC), timedelta(minutes=skew_minutes))
    except (InputError, OperationFailed, ProxmoxError) as exc:
        typer.echo(f"UNKNOWN: {exc}", err=True)
        raise typer.Exit(int(Health.UNKNOWN)) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "status": int(report.health),
                    "status_name": report.health.name,
                    "snapshots": report.snapshots,
                    "future": [s.name for s in report.future],
                    "anchors": report.anchors,
                    "unanchored": [list(m) for m in report.unanchored],
                },
                indent=2,
            )
        )
    else:
        typer.echo(format_history_report(report))
    raise typer.Exit(int(report.health))


def anchor(
    stack: Stack,
    project_dir: Dir = Path(),
    backend: Backend = Path(".pulumi-state"),
    skew_minutes: SkewMinutes = DEFAULT_SKEW_MINUTES,
) -> None:
    """Protect one verified snapshot per group and month of each guest's copy (daily)."""
    from tappaas.automation.history_guard import anchor as anchor_history  # noqa: PLC0415
    from tappaas.client import ProxmoxError  # noqa: PLC0415

    site, client = _site_and_client(stack, project_dir, backend)
    try:
        plan = anchor_history(client, site, datetime.now(UTC), timedelta(minutes=skew_minutes))
    except ProxmoxError as exc:
        raise OperationFailed(f"anchoring failed: {exc}") from None
    typer.echo(format_anchor_plan(plan))
