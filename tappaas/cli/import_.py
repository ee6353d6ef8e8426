"""``tappaas import``: bring a site set up by upstream TAPPaaS's scripts under this program.

``tappaas import tappaas`` turns ``configuration.json`` and the module JSONs into
``Pulumi.<stack>.yaml``. Exit codes: 0 = the stack passes ``tappaas check``; 1 = written, but
decisions are open or the checks block (each named with its upstream file and field);
2 = the upstream files (or the answers file) cannot be read or are invalid: nothing written.

``tappaas import live STACK`` adopts the objects the stack declares that already exist
(``tappaas.automation.adoption``), PVE and PBS: a plan by default, ``--yes`` to record them
in the state. Exit codes: 0 = adopted (or adoptable); 1 = an object exists with another
identity, another stands in the way, or the engine refused; 2 = no such stack file, its
config is invalid, or no passphrase is set. The engine and Pulumi are
loaded only by this subcommand. Rendering is done by the pure ``format_*`` functions, for 80
columns.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from tappaas.adopt import (
    Assessment,
    Conversion,
    Decision,
    Difference,
    NotImported,
    Problem,
    SecretToSet,
    StackFileError,
    UpstreamError,
    UpstreamIssue,
    assess,
    existing_document,
    import_upstream,
    read_answers,
    render,
    secrets_already_set,
)
from tappaas.cli.errors import EXIT_FAILED, EXIT_OK, InputError
from tappaas.model import CONFIG_KEY

app = typer.Typer(
    help="Adopt a site set up by upstream TAPPaaS scripts.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def import_group() -> None:
    """Adopt a site set up by upstream TAPPaaS scripts: its files, then its live objects."""


WIDTH = 80
INDENT = "    "
DEFAULT_STACK = "prod"
UNKNOWN_FIELD = "unknown field: not imported"


def _wrap(text: str, indent: str = INDENT) -> list[str]:
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )
    return lines or [indent]


def format_upstream_error(issues: Sequence[UpstreamIssue]) -> str:
    """Every problem with the upstream files: file, field, message."""
    lines = [f"nothing imported: {len(issues)} problem(s) with the input files:"]
    for issue in issues:
        lines += _wrap(f"{issue.file}: {issue.field}: {issue.message}", "  ")
    return "\n".join(lines)


def format_decisions(decisions: Sequence[Decision]) -> str:
    """The decisions left open: config path, question, upstream source."""
    if not decisions:
        return "Decisions: none left open."
    lines = [f"Decisions left to you ({len(decisions)}): edit the stack file or pass --answers"]
    for decision in decisions:
        lines.append(f"  {decision.path}")
        lines += _wrap(decision.question)
        lines += _wrap(f"from {decision.source}")
    return "\n".join(lines)


def format_secrets(secrets: Sequence[SecretToSet], stack: str, already: set[str]) -> str:
    """The ``pulumi config set --secret`` commands still to run (the stack names the keys)."""
    todo = [s for s in secrets if s.key not in already]
    if not todo:
        return "Secrets: every referenced secret is set."
    lines = [f"Secrets the stack references ({len(todo)}): set each once"]
    for secret in todo:
        lines.append(f"  pulumi config set --stack {stack} --secret {secret.key} <value>")
        lines += _wrap(f"{secret.what}; get it with: {secret.how}")
    return "\n".join(lines)


def format_problems(problems: Sequence[Problem]) -> str:
    """Config problems and blocking findings, with the upstream field they come from."""
    lines = [f"Problems blocking `tappaas check` ({len(problems)}):"]
    for problem in problems:
        lines += _wrap(f"{problem.path}: {problem.message}", "  ")
        if problem.source:
            lines += _wrap(f"from {problem.source}")
    return "\n".join(lines)


def format_differences(differences: Sequence[Difference]) -> str:
    """What the imported stack changes relative to what upstream's scripts set up."""
    lines = ["Differences from what upstream TAPPaaS set up:"]
    for difference in differences:
        lines.append(f"  {difference.topic}")
        lines += _wrap(f"upstream: {difference.upstream}")
        lines += _wrap(f"imported: {difference.imported}")
        lines += _wrap(difference.consequence)
    return "\n".join(lines)


def format_not_imported(entries: Iterable[NotImported]) -> str:
    """Unknown fields one by one; known ones grouped by reason, then file."""
    entries = list(entries)
    unknown = [e for e in entries if e.reason == UNKNOWN_FIELD]
    lines = [f"Not imported ({len(entries)} field(s) and file(s)):"]
    if unknown:
        lines.append("  unknown fields (not in upstream's field definitions):")
        lines += [f"{INDENT}{e.file}: {e.field}" for e in unknown]
    by_reason: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if entry.reason != UNKNOWN_FIELD:
            by_reason[entry.reason][entry.file].append(entry.field)
    for reason, files in sorted(by_reason.items()):
        lines += _wrap(f"{reason}:", "  ")
        for file, fields in sorted(files.items()):
            lines += _wrap(f"{file}: {', '.join(sorted(fields))}")
    return "\n".join(lines)


def format_summary(path: Path, conversion: Conversion, assessment: Assessment) -> str:
    """One closing line: deployable, or what stands in the way."""
    site = conversion.site
    counts = (
        f"{len(site.get('nodes', {}))} node(s), {len(site.get('services', {}))} service(s), "
        f"{len(site.get('datapools', {}))} datapool(s)"
    )
    if assessment.deployable:
        verdict = (
            f"Passes `tappaas check` ({len(assessment.warnings)} warning(s)): "
            f"`tappaas check {path.stem.removeprefix('Pulumi.')}` shows them."
        )
    else:
        verdict = (
            f"Not deployable yet: {assessment.open_decisions} decision(s) open, "
            f"{len(assessment.problems)} problem(s)."
        )
    return "\n".join([*_wrap(f"Wrote {path} ({counts}).", ""), *_wrap(verdict, "")])


def format_report(
    path: Path, stack: str, conversion: Conversion, assessment: Assessment, already: set[str]
) -> str:
    """Everything ``tappaas import tappaas`` prints."""
    parts = [format_decisions(conversion.decisions)]
    if assessment.problems:
        parts.append(format_problems(assessment.problems))
    parts += [
        format_secrets(conversion.secrets, stack, already),
        format_differences(conversion.differences),
        format_not_imported(conversion.not_imported),
        format_summary(path, conversion, assessment),
    ]
    return "\n\n".join(parts)


@app.command("tappaas")
def from_tappaas(
    *,
    config: Annotated[
        Path, typer.Option("--config", help="Upstream's configuration.json.", show_default=False)
    ],
    modules: Annotated[
        Path,
        typer.Option(
            "--modules",
            help="Folder of module JSONs (a site's /home/tappaas/config, or TAPPaaS's src).",
            show_default=False,
        ),
    ],
    stack: Annotated[str, typer.Option("--stack", help="Writes Pulumi.<stack>.yaml.")] = (
        DEFAULT_STACK
    ),
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="YAML shaped like tappaas:site: your decisions."),
    ] = None,
    directory: Annotated[
        Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")
    ] = Path(),
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace an existing tappaas:site (other keys stay)."),
    ] = False,
) -> None:
    """Write Pulumi.<stack>.yaml from upstream TAPPaaS's configuration and module files."""
    try:
        given = read_answers(answers) if answers is not None else None
        conversion = import_upstream(config, modules, given, str(answers))
    except UpstreamError as error:
        raise InputError(format_upstream_error(error.issues)) from None
    path = directory / f"Pulumi.{stack}.yaml"
    try:
        document = existing_document(path)
    except StackFileError as error:
        raise InputError(str(error)) from None
    if document is not None and CONFIG_KEY in (document.get("config") or {}) and not replace:
        raise InputError(
            f"{path} already holds {CONFIG_KEY}: pass --replace to overwrite it "
            "(its other keys, such as secrets, are kept)"
        )
    assessment = assess(conversion)
    path.write_text(render(document, conversion), encoding="utf-8")
    already = secrets_already_set(document, conversion)
    typer.echo(format_report(path, stack, conversion, assessment, already))
    raise typer.Exit(EXIT_OK if assessment.deployable else EXIT_FAILED)


@app.command("live")
def live(
    stack: Annotated[
        str,
        typer.Argument(
            help="Stack name: adopts into Pulumi.<STACK>.yaml's stack.", show_default=False
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", help="Adopt: write the imports into the stack's state.")
    ] = False,
    directory: Annotated[
        Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")
    ] = Path(),
    backend: Annotated[
        Path, typer.Option("--backend", help="Local state backend directory.")
    ] = Path(".pulumi-state"),
) -> None:
    """Take over the objects the stack declares that already exist on the site.

    Reads every live object on the PVE cluster and the PBS with the stack's credentials (GET
    only), reports each difference from the declared one, and with --yes records them in the
    stack's state (nothing on the site changes; the next up applies the differences). Exit
    1 when an object exists with another identity (up would replace it) or another object
    stands where up would create one: nothing is adopted then.
    """
    from tappaas.cli.adoption import run_live  # noqa: PLC0415  (loads Pulumi and the engine)

    raise typer.Exit(run_live(stack, directory, backend, apply=yes))
