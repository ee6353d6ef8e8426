"""Rendering drills: the RTO/RPO table, the Markdown report, the RTO trend (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from tappaas.health import DrillRun, ServiceDrill, Trend, Verdict, span

VERDICT_STYLE = {Verdict.PASS: "green", Verdict.OVER_TARGET: "yellow", Verdict.FAIL: "bold red"}
NONE = "-"


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _seconds(value: float | None) -> str:
    return NONE if value is None else span(value)


def _measured(value: float | None, target: float | None, label: str | None = None) -> str:
    """``1min 5s / 1h`` (measured / target)."""
    goal = label or (span(target) if target is not None else "?")
    return f"{_seconds(value)} / {goal}"


def format_drill_table(run: DrillRun) -> Table:
    """One row per service: RPO and RTO beside their targets, restore/run times, verdict."""
    table = Table(
        title=f"Drill {run.drill_id} of {run.site} from the {run.source.value} copy",
        title_justify="left",
        pad_edge=False,
        box=None,
    )
    table.add_column("service", no_wrap=True)
    table.add_column("RPO / target", no_wrap=True)
    table.add_column("RTO / target", no_wrap=True)
    table.add_column("restored", no_wrap=True)
    table.add_column("running", no_wrap=True)
    table.add_column("result", overflow="fold")
    for result in run.results:
        verdict = Text(result.verdict.value, style=VERDICT_STYLE[result.verdict])
        if result.reason:
            verdict.append(f": {result.reason}", style="dim")
        targets = result.targets
        table.add_row(
            result.service,
            _measured(result.rpo_seconds, targets.rpo_seconds),
            _measured(
                result.rto_seconds,
                targets.rto_seconds,
                targets.rto_class.value if targets.rto_class else None,
            ),
            _seconds(result.restored_seconds),
            _seconds(result.running_seconds),
            verdict,
        )
    for refusal in run.refused:
        table.add_row(
            refusal.service,
            NONE,
            NONE,
            NONE,
            NONE,
            Text(f"NOT RUN: {refusal.reason}", style="magenta"),
        )
    return table


def _probe_lines(result: ServiceDrill) -> list[str]:
    return [
        f"  - {'ok' if p.passed else 'FAILED'} `{p.probe}`"
        + (f" after {span(p.seconds)}" if p.seconds is not None else "")
        + (f": {p.detail}" if p.detail and not p.passed else "")
        for p in result.probes
    ]


def format_drill_markdown(run: DrillRun) -> str:
    """The run's report: a table of measured vs target, then each service's details."""
    lines = [
        f"# Restore drill {run.drill_id}",
        "",
        f"Site **{run.site}**, restored from the **{run.source.value}** copy, started "
        f"{iso(run.started)} (cluster clock).",
        "",
        "| service | snapshot | RPO | RPO target | RTO | RTO target | restored | running "
        "| result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in run.results:
        rto_target = r.targets.rto_class.value if r.targets.rto_class else "?"
        if r.targets.rto_seconds is not None:
            rto_target += f" ({span(r.targets.rto_seconds)})"
        snapshot = iso(r.snapshot_time) if r.snapshot_time is not None else NONE
        lines.append(
            f"| {r.service} | {snapshot} | {_seconds(r.rpo_seconds)} | "
            f"{_seconds(r.targets.rpo_seconds)} | {_seconds(r.rto_seconds)} | {rto_target} | "
            f"{_seconds(r.restored_seconds)} | {_seconds(r.running_seconds)} | "
            f"**{r.verdict.value}** |"
        )
    for refusal in run.refused:
        lines.append(f"| {refusal.service} | {NONE} | | | | | | | NOT RUN: {refusal.reason} |")
    for r in run.results:
        size = f"{r.bytes_restored / 1024**3:.1f} GiB" if r.bytes_restored else "?"
        lines += [
            "",
            f"## {r.service}: {r.verdict.value}",
            "",
            f"- snapshot `{r.snapshot}` ({size}), restored as vm {r.drill_vmid} on {r.node}"
            f" ({'live-restore' if r.live_restore else 'full restore'})",
            f"- restored after {_seconds(r.restored_seconds)}, running after "
            f"{_seconds(r.running_seconds)}, healthy after {_seconds(r.healthy_seconds)}",
            "- probes:",
            *_probe_lines(r),
        ]
        if r.reason:
            lines.append(f"- why it failed: {r.reason}")
        lines.append(f"- drill VM deleted: {'yes' if r.cleaned_up else 'NO'}")
    if run.cleaned_leftovers:
        left = ", ".join(str(v) for v in run.cleaned_leftovers)
        lines += ["", f"Removed drill VMs left by an interrupted run first: {left}."]
    return "\n".join(lines) + "\n"


def format_drill_json(run: DrillRun) -> str:
    document = run.model_dump(mode="json")
    document["state"] = run.state.name
    document["exit_code"] = int(run.state)
    return json.dumps(document, indent=2)


def format_trends(trends: list[Trend]) -> Table:
    """RTO per service over its drills, flagged when the latest is beyond the target."""
    table = Table(
        title="RTO per service, oldest drill first", title_justify="left", pad_edge=False, box=None
    )
    table.add_column("service", no_wrap=True)
    table.add_column("drills", justify="right")
    table.add_column("RTO trend", overflow="fold")
    table.add_column("target", no_wrap=True)
    table.add_column("flag", overflow="fold")
    for trend in trends:
        shown = " → ".join(span(v) for v in trend.rtos[-6:]) or NONE
        flag = Text("")
        if trend.last_verdict is Verdict.FAIL:
            flag = Text("last drill FAILED", style="bold red")
        elif trend.beyond_target:
            flag = Text("RTO beyond target" + (" (grew)" if trend.grew else ""), style="yellow")
        drills = len(trend.rtos) + trend.failures
        table.add_row(trend.service, str(drills), shown, _seconds(trend.target_seconds), flag)
    return table
