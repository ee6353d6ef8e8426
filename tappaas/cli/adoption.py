"""``tappaas import live``: adopt a stack's existing objects, and the report of what it found.

Kept apart from ``import_`` because it loads Pulumi and the engine; the import group loads
it only when ``live`` runs. Rendering is done by the pure ``format_adoption``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import typer
from pulumi.automation.errors import CommandError

from tappaas.automation.adoption import AdoptionError, AdoptionReport, Survey, Verdict, adopt
from tappaas.cli.errors import EXIT_FAILED, EXIT_OK, InputError, OperationFailed
from tappaas.cli.stack import runner
from tappaas.model import ConfigError, load_stack_file

WIDTH = 80
INDENT = "    "
SECTIONS = (
    (Verdict.BLOCKED, "Blocked", "exists with another identity (up would replace it): "
     "nothing is adopted until the config matches the live object"),
    (Verdict.UNREADABLE, "Unreadable", "reading it failed: nothing is assumed about it"),
    (Verdict.CREATE, "To create", "not on the site: the first up creates it"),
    (Verdict.PENDING, "Pending", "its inputs come from objects that were not adopted"),
    (Verdict.UPSTREAM, "Upstream provider", "a proxmoxve resource: `pulumi import <type> "
     "<name> <id>` adopts it with that provider's own read (not run here)"),
)  # fmt: skip


def _wrap(text: str, indent: str = INDENT) -> list[str]:
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )
    return lines or [indent]


def _value(value: object) -> str:
    return "unset" if value is None else repr(value)


def format_survey(survey: Survey) -> list[str]:
    """One resource: name, kind and id, then each difference (live, declared) and note."""
    kind = survey.type.rsplit(":", 1)[-1]
    data = ", holds backups: never replaced" if survey.holds_data else ""
    lines = _wrap(f"{survey.name} ({kind}{data})", "  ")
    lines += _wrap(f"id {survey.object_id or '(not known yet)'}")
    for difference in survey.differences:
        lines += _wrap(
            f"{difference.field}: live {_value(difference.live)}, "
            f"declared {_value(difference.declared)}"
        )
    for note in survey.notes:
        lines += _wrap(note)
    return lines


def format_adoption(report: AdoptionReport) -> str:
    """Every declared resource not in the state before, by what adoption does with it."""
    mode = "adopted into its state" if report.applied else "a plan: nothing changed"
    lines = _wrap(f"Adoption of stack {report.stack}: {mode} ({report.rounds} round(s)).", "")
    if report.adopted:
        verb = "Adopted" if report.applied else "To adopt"
        lines += ["", *_wrap(
            f"{verb} ({len(report.adopted)}): they exist; the first up changes only the "
            "differences listed (updates, never a create or a replace)", "")]  # fmt: skip
        for survey in report.adopted:
            lines += format_survey(survey)
    for verdict, title, meaning in SECTIONS:
        surveys = report.by_verdict(verdict)
        if surveys:
            lines += ["", *_wrap(f"{title} ({len(surveys)}): {meaning}", "")]
            for survey in surveys:
                lines += format_survey(survey)
    lines.append("")
    if report.blocked:
        lines += _wrap("Nothing adopted: make the config match the blocked objects first.", "")
    elif report.applied:
        lines += _wrap(f"Next: `tappaas stack preview {report.stack}`, then `up`.", "")
    else:
        lines += _wrap(f"Run `tappaas import live --stack {report.stack} --yes` to adopt.", "")
    return "\n".join(lines)


def run_live(stack: str, directory: Path, backend: Path, *, apply: bool) -> int:
    """Adopt (or plan adopting) ``stack``'s existing objects; print the report; exit code."""
    path = directory / f"Pulumi.{stack}.yaml"
    try:
        load_stack_file(path)
    except ConfigError as error:
        raise InputError(f"{path}: invalid site config:\n{error}") from None
    try:
        report = adopt(runner(stack, directory, backend), apply=apply)
    except (AdoptionError, CommandError) as error:
        raise OperationFailed(str(error)) from None
    typer.echo(format_adoption(report))
    return EXIT_FAILED if report.blocked else EXIT_OK
