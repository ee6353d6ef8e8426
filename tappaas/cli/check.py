"""``tappaas check``: validate a stack's site config, print findings and the protection report.

Exit codes: 0 = deployable (warnings allowed), 1 = findings that block deployment,
2 = no such stack file, or the file is unreadable or its config invalid (every issue listed).
This module imports only typer, so ``tappaas check --help`` starts at once; the model, the
policy and the renderers (``check_output``) load when the check runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tappaas.cli.errors import InputError

app = typer.Typer(add_completion=False)

EXIT_OK = 0
EXIT_BLOCKING_FINDINGS = 1
EXIT_INVALID_CONFIG = 2
STACK_FILE_SUFFIXES = (".yaml", ".yml")


def stack_file(target: str | None, stack: str | None, file: Path | None, directory: Path) -> Path:
    """The stack file to check: ``STACK`` (a name or a path), ``--stack`` or ``--file``.

    A name means ``Pulumi.<name>.yaml`` in ``directory``; a ``STACK`` with a ``/`` or ending
    in ``.yaml`` is a path.
    """
    given = [value for value in (target, stack, file) if value is not None]
    if len(given) != 1:
        raise typer.BadParameter(
            "give one stack: a name (tappaas check prod), --stack NAME or --file PATH"
        )
    if file is not None:
        return file
    if target is not None and ("/" in target or target.endswith(STACK_FILE_SUFFIXES)):
        return Path(target)
    return directory / f"Pulumi.{target if target is not None else stack}.yaml"


def require_file(path: Path) -> None:
    """A missing stack file is an input error naming the file and the stacks that exist."""
    if path.is_file():
        return
    folder = path.parent
    found = sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in folder.glob("Pulumi.*.yaml")
    )
    here = f" (stacks there: {', '.join(found)})" if found else ""
    raise InputError(f"no stack file {path}{here}")


Target = Annotated[
    str | None,
    typer.Argument(
        metavar="STACK",
        help="Stack name (reads Pulumi.<STACK>.yaml here) or a stack file's path.",
        show_default=False,
    ),
]
StackOption = Annotated[
    str | None,
    typer.Option("--stack", metavar="NAME", help="Stack name (like STACK).", show_default=False),
]
FileOption = Annotated[
    Path | None,
    typer.Option("--file", metavar="PATH", help="Path to a stack file.", show_default=False),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


@app.command("check")
def check(
    target: Target = None,
    stack: StackOption = None,
    file: FileOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Check a stack's site config: findings, and RPO/RTO per service and disaster.

    Exit 0: deployable (warnings allowed); 1: findings block deployment; 2: no such file, or
    an unreadable or invalid config (every problem listed).
    """
    from rich.console import Console  # noqa: PLC0415  (loaded when the check runs)

    from tappaas.cli import check_output as out  # noqa: PLC0415
    from tappaas.model import ConfigError, load_stack_file  # noqa: PLC0415
    from tappaas.policy import evaluate, protection_report  # noqa: PLC0415

    path = stack_file(target, stack, file, Path.cwd())
    require_file(path)
    console = Console()
    try:
        site = load_stack_file(path)
    except ConfigError as error:
        if as_json:
            typer.echo(out.format_json_config_error(error))
        else:
            console.print(out.format_config_error(path, error), soft_wrap=True)
        raise typer.Exit(EXIT_INVALID_CONFIG) from None
    report = protection_report(site)
    findings = evaluate(site, report)
    if as_json:
        typer.echo(out.format_json(report, findings))
    else:
        # Laid out for the width already: rich need not wrap it again.
        console.print(out.format_check(site, report, findings, console.width), soft_wrap=True)
    blocked = any(f.blocks_deployment for f in findings)
    raise typer.Exit(EXIT_BLOCKING_FINDINGS if blocked else EXIT_OK)
