"""``tappaas import live``: adopt a stack's existing objects, and the report of what it found.

Kept apart from ``import_`` because it loads Pulumi and the engine; the import group loads
it only when ``live`` runs. Rendering is done by the pure ``format_adoption``.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import typer
from pulumi.automation.errors import CommandError

from tappaas.automation.adoption import AdoptionError, AdoptionReport, Survey, Verdict, adopt
from tappaas.cli.errors import EXIT_FAILED, EXIT_OK, InputError, OperationFailed
from tappaas.cli.passphrase import require_passphrase
from tappaas.cli.stack import private_copy, require_stack_file, runner
from tappaas.model import ConfigError, load_stack_file

WIDTH = 80
INDENT = "    "
SECTIONS = (
    (Verdict.BLOCKED, "Blocked", "exists with another identity (up would replace it): "
     "nothing is adopted until the config matches the live object"),
    (Verdict.IN_THE_WAY, "In the way", "another object stands where up would create this "
     "one: take it over (the key named) or remove it first; nothing is adopted until then"),
    (Verdict.UNREADABLE, "Unreadable", "reading it failed: nothing is assumed about it"),
    (Verdict.CREATE, "To create", "not on the site: the first up creates it"),
    (Verdict.PENDING, "Pending", "its inputs come from objects that were not adopted"),
)  # fmt: skip
FIRST_UP_ORDER = ("update", "same", "create", "replace", "create-replacement", "delete")


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
    data = ", holds data: never replaced" if survey.holds_data else ""
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


def format_first_up(counts: Counter[str]) -> str:
    """``12 update, 30 same, 5 create``: what the first up does, by operation."""
    order = [op for op in FIRST_UP_ORDER if counts.get(op)]
    order += sorted(op for op in counts if op not in FIRST_UP_ORDER and counts[op])
    return ", ".join(f"{counts[op]} {op}" for op in order) or "nothing"


def format_adoption(report: AdoptionReport) -> str:
    """Every declared resource not in the state before, by what adoption does with it."""
    mode = "adopted into its state" if report.applied else "a plan: nothing changed"
    lines = _wrap(f"Adoption of stack {report.stack}: {mode} ({report.rounds} round(s)).", "")
    adopted = sorted(report.by_verdict(Verdict.ADOPT), key=lambda s: s.urn)
    if adopted:
        verb = "Adopted" if report.applied else "To adopt"
        lines += ["", *_wrap(
            f"{verb} ({len(adopted)}): they exist; the first up changes only the "
            "differences listed (updates, never a create or a replace)", "")]  # fmt: skip
        for survey in adopted:
            lines += format_survey(survey)
    for verdict, title, meaning in SECTIONS:
        surveys = report.by_verdict(verdict)
        if surveys:
            lines += ["", *_wrap(f"{title} ({len(surveys)}): {meaning}", "")]
            for survey in sorted(surveys, key=lambda s: s.urn):
                lines += format_survey(survey)
    lines.append("")
    if report.blocked:
        lines += _wrap("Nothing adopted: deal with what is blocked or in the way first.", "")
        return "\n".join(lines)
    if not adopted:
        rest = "up creates the rest" if report.remaining else "all are in its state already"
        lines += _wrap(f"Nothing to adopt: of what the stack declares, {rest}.", "")
        return "\n".join(lines)
    if report.first_up:
        lines += _wrap(f"The first up, after the adoption: {format_first_up(report.first_up)}.", "")
    if report.applied:
        lines += _wrap(f"Next: `pulumi preview --stack {report.stack}`, then `up`.", "")
    else:
        lines += _wrap(f"Run `tappaas import live {report.stack} --yes` to adopt.", "")
    return "\n".join(lines)


def run_live(stack: str, directory: Path, backend: Path, *, apply: bool) -> int:
    """Adopt (or plan adopting) ``stack``'s existing objects; print the report; exit code."""
    project = directory.resolve()
    path = require_stack_file(project, stack)
    try:
        site = load_stack_file(path)
    except ConfigError as error:
        raise InputError(f"{path}: invalid site config:\n{error}") from None
    require_passphrase(project, stack)
    with private_copy(project, stack) as work_dir:
        try:
            report = adopt(runner(stack, project, backend, work_dir), site, apply=apply)
        except (AdoptionError, CommandError) as error:
            raise OperationFailed(str(error)) from None
    typer.echo(format_adoption(report))
    return EXIT_FAILED if report.blocked else EXIT_OK
