"""``tappaas check``: validate a stack's site config, print findings and the protection table.

Exit codes: 0 = deployable (warnings allowed), 1 = findings that block deployment,
2 = the stack file is unreadable or its config invalid (every issue listed).
Rendering is done by the pure ``format_*`` functions; the command only reads and prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from tappaas.model import ConfigError, load_stack_file
from tappaas.policy import (
    DataFormat,
    Disaster,
    Estimate,
    Finding,
    ProtectionReport,
    Severity,
    evaluate,
    format_duration,
    protection_report,
)

app = typer.Typer(add_completion=False)

EXIT_OK = 0
EXIT_BLOCKING_FINDINGS = 1
EXIT_INVALID_CONFIG = 2
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}
_FORMAT_LABELS = {DataFormat.BLOCK: "zfs", DataFormat.PBS: "pbs", DataFormat.NATIVE: "app"}
_DISASTER_HEADERS = {
    Disaster.DISK_FAILURE: "disk",
    Disaster.NODE_FAILURE: "node",
    Disaster.SITE_LOSS: "site",
    Disaster.RANSOMWARE: "ransomware",
    Disaster.ACCIDENTAL_DELETION: "deletion",
    Disaster.BAD_UPDATE: "update",
}


def stack_file(stack: str | None, file: Path | None, directory: Path) -> Path:
    """``Pulumi.<stack>.yaml`` in ``directory``, or ``file``; exactly one must be given."""
    if (stack is None) == (file is None):
        raise typer.BadParameter("give exactly one of --stack NAME or --file PATH")
    return file if file is not None else directory / f"Pulumi.{stack}.yaml"


def format_estimate(estimate: Estimate) -> Text:
    """``RPO / RTO`` of one disaster: ``15m / minutes``; ``lost`` when no copy survives."""
    if not estimate.recoverable:
        return Text("lost", style="bold red")
    rpo = "manual" if estimate.rpo is None else format_duration(estimate.rpo)
    rto = estimate.rto.value if estimate.rto is not None else "?"
    return Text(f"{rpo} / {rto}")


def format_protection_table(report: ProtectionReport) -> Table:
    """One row per service: copies, formats (zfs, pbs, app export), off-site copies, and
    RPO / RTO per disaster."""
    table = Table(title=f"Protection of {report.site} ({report.role.value})", title_justify="left")
    table.add_column("service", no_wrap=True)
    table.add_column("vmid", justify="right")
    table.add_column("copies", justify="right")
    table.add_column("formats")
    table.add_column("off-site", justify="right")
    for header in _DISASTER_HEADERS.values():
        table.add_column(f"{header}\nRPO / RTO")
    for service in report.services:
        copies = Text(str(len(service.copies)), style="" if service.meets_321 else "red")
        table.add_row(
            service.name,
            str(service.vmid),
            copies,
            "+".join(_FORMAT_LABELS[f] for f in service.formats),
            str(service.offsite_copies),
            *(format_estimate(service.estimate_for(d)) for d in _DISASTER_HEADERS),
        )
    return table


def format_findings(findings: Sequence[Finding]) -> RenderableType:
    """The findings as a table (severity, code, path, message and fix), or a clean bill."""
    if not findings:
        return Text("No findings: 3-2-1, HA and retention meet the design.", style="green")
    table = Table(title="Findings", title_justify="left", show_lines=True)
    for column in ("severity", "code", "path", "message"):
        table.add_column(column)
    for finding in findings:
        message = Text(finding.message)
        if finding.fix:
            message.append(f"\nfix: {finding.fix}", style="dim")
        table.add_row(
            Text(finding.severity.value, style=_SEVERITY_STYLE[finding.severity]),
            finding.code.value,
            finding.path,
            message,
        )
    return table


def format_summary(findings: Sequence[Finding]) -> Text:
    """``2 errors (deployment blocked), 3 warnings``."""
    errors = sum(f.blocks_deployment for f in findings)
    warnings = len(findings) - errors
    text = Text(f"{errors} error(s)", style="bold red" if errors else "green")
    if errors:
        text.append(" (deployment blocked)", style="bold red")
    text.append(f", {warnings} warning(s)")
    return text


def format_check(report: ProtectionReport, findings: Sequence[Finding]) -> Group:
    """Everything ``tappaas check`` prints for a valid config."""
    return Group(
        format_findings(findings), format_protection_table(report), format_summary(findings)
    )


def format_config_error(path: Path, error: ConfigError) -> Group:
    """Every problem of an invalid (or unreadable) config, one per line."""
    lines = [
        Text(f"{path}: invalid site config ({len(error.issues)} problem(s))", style="bold red")
    ]
    lines += [Text.assemble((issue.path, "cyan"), f": {issue.message}") for issue in error.issues]
    return Group(*lines)


def format_json(report: ProtectionReport, findings: Sequence[Finding]) -> str:
    """Machine-readable result: findings, the report (durations in seconds), a verdict."""
    document: dict[str, Any] = {
        "valid": True,
        "deployable": not any(f.blocks_deployment for f in findings),
        "findings": [f.model_dump(mode="json") for f in findings],
        "report": report.model_dump(mode="json"),
    }
    return json.dumps(document, indent=2)


def format_json_config_error(error: ConfigError) -> str:
    """Machine-readable list of config issues."""
    issues = [{"path": issue.path, "message": issue.message} for issue in error.issues]
    return json.dumps({"valid": False, "deployable": False, "issues": issues}, indent=2)


@app.command("check")
def check(
    stack: Annotated[
        str | None, typer.Option("--stack", help="Stack name: reads Pulumi.<stack>.yaml here.")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Path to a stack file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Check a stack's site config: findings, and RPO/RTO per service and disaster."""
    path = stack_file(stack, file, Path.cwd())
    console = Console()
    try:
        site = load_stack_file(path)
    except ConfigError as error:
        if as_json:
            typer.echo(format_json_config_error(error))
        else:
            console.print(format_config_error(path, error), soft_wrap=True)
        raise typer.Exit(EXIT_INVALID_CONFIG) from None
    report = protection_report(site)
    findings = evaluate(site, report)
    if as_json:
        typer.echo(format_json(report, findings))
    else:
        console.print(format_check(report, findings))
    blocked = any(f.blocks_deployment for f in findings)
    raise typer.Exit(EXIT_BLOCKING_FINDINGS if blocked else EXIT_OK)
