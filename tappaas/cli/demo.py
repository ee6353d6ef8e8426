"""``tappaas demo``: the whole story on the lab, with the real engine (``lab_demo``).

The lab is a separate world: it is imported only when this command runs, so the other
commands (``check``, ``stack``) never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def demo(
    keep: Annotated[bool, typer.Option(help="Leave the lab running until Ctrl-C.")] = False,
    project_dir: Annotated[Path, typer.Option("--dir")] = Path(),
) -> None:
    """Start the lab, pulumi up the site and peer stacks, back up, pull off-site, rebuild
    lost VMs from the peer's copy, and print the protection summary."""
    from tappaas.cli.lab_demo import run_demo  # noqa: PLC0415  (loads the lab)

    run_demo(keep, project_dir)
