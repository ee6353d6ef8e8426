"""``tappaas pr-preview STACK``: what a pull request would do to a stack, as Markdown.

For the CI of a pull request: the policy findings of the stack's config (the same check as
``tappaas check``) and the changes ``pulumi preview`` plans, rendered for a PR comment.
``pulumi`` runs as a user would run it (language host, the CI's state backend and
passphrase from its environment). Exit 0 when the stack can be deployed, 1 when a finding
blocks it or the preview fails, 2 when the stack file is unreadable or invalid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from tappaas.cli.errors import EXIT_FAILED, InputError
from tappaas.model import ConfigError, load_stack_file
from tappaas.policy import Finding, evaluate, protection_report

app = typer.Typer(add_completion=False)

SHOWN_CHANGES = 60
"""Resources listed by name in the comment; the rest are counted."""
_OP_LABELS = {"create": "create", "update": "update", "delete": "delete", "replace": "replace"}


def format_findings_markdown(findings: Sequence[Finding]) -> list[str]:
    """The findings as a Markdown table (or a clean bill)."""
    if not findings:
        return ["No policy findings: 3-2-1, HA and retention meet the design."]
    lines = ["| severity | code | path | message |", "|---|---|---|---|"]
    for finding in findings:
        message = finding.message.replace("|", "\\|")
        if finding.fix:
            message += f"<br>fix: {finding.fix.replace('|', chr(92) + '|')}"
        lines.append(
            f"| {finding.severity.value} | `{finding.code.value}` | `{finding.path}` | {message} |"
        )
    return lines


def format_plan_markdown(plan: dict[str, Any]) -> list[str]:
    """``pulumi preview --json``: the change summary and the resources that change."""
    summary = {op: n for op, n in (plan.get("changeSummary") or {}).items() if op != "same"}
    if not summary:
        return ["No changes: every resource is up to date."]
    counts = ", ".join(f"{n} to {_OP_LABELS.get(op, op)}" for op, n in sorted(summary.items()))
    lines = [f"Planned: {counts}.", "", "| change | resource |", "|---|---|"]
    changing = [step for step in plan.get("steps", []) if step.get("op") not in ("same", "read")]
    for step in changing[:SHOWN_CHANGES]:
        urn = str(step.get("urn", ""))
        kind, _, name = urn.rpartition("::")
        lines.append(f"| {step.get('op')} | `{name}` ({kind.rsplit('$', 1)[-1]}) |")
    if len(changing) > SHOWN_CHANGES:
        lines.append(f"| … | {len(changing) - SHOWN_CHANGES} more |")
    return lines


def format_pr_preview(
    stack: str, findings: Sequence[Finding], plan: dict[str, Any] | None, failure: str | None
) -> str:
    """The whole comment."""
    blocking = sum(f.blocks_deployment for f in findings)
    verdict = "blocked" if blocking or failure else "deployable"
    lines = [f"### `pulumi preview` of stack `{stack}`: {verdict}", "", "#### Policy"]
    lines += format_findings_markdown(findings)
    lines += ["", "#### Planned changes"]
    if failure is not None:
        lines += ["The preview failed:", "", "```", failure.strip()[-3000:], "```"]
    elif plan is not None:
        lines += format_plan_markdown(plan)
    return "\n".join(lines) + "\n"


@app.command("pr-preview")
def pr_preview(
    stack: Annotated[str, typer.Argument(help="The stack to preview (Pulumi.STACK.yaml).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the Markdown to this file.")
    ] = None,
    project_dir: Annotated[Path, typer.Option("--dir", help="Project directory.")] = Path(),
) -> None:
    """Policy findings and planned changes of STACK as Markdown, for a pull request."""
    from tappaas.automation import EngineNotFoundError, find_engine  # noqa: PLC0415
    from tappaas.automation.pulumi_cli import PulumiCli, PulumiCommandError  # noqa: PLC0415

    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise InputError(f"no stack file {stack_file}")
    try:
        site = load_stack_file(stack_file)
    except ConfigError as error:
        raise InputError(f"{stack_file}: invalid site config:\n{error}") from None
    findings = evaluate(site, protection_report(site))
    try:
        engine = find_engine()
    except EngineNotFoundError as exc:
        raise InputError(str(exc)) from None
    pulumi = PulumiCli(engine, project_dir.resolve(), backend_dir=None)
    plan: dict[str, Any] | None = None
    failure: str | None = None
    try:
        plan = json.loads(pulumi.read("preview", "--stack", stack, "--json"))
    except PulumiCommandError as failed:
        failure = failed.output
    text = format_pr_preview(stack, findings, plan, failure)
    typer.echo(text)
    if out is not None:
        out.write_text(text)
    if failure is not None or any(f.blocks_deployment for f in findings):
        raise typer.Exit(EXIT_FAILED)
