"""What ``tappaas check`` prints: pure ``format_*`` functions, readable at 80 columns.

Terminals, CI logs and pipes are often 80 columns wide (rich falls back to 80 when it cannot
tell), so the protection report is one block per service there, and the one-row-per-service
table only when the terminal is wide enough for every column. Findings are blocks at any
width, so a key path is never cut. A peer also lists the copies it keeps for other sites; a
recovery stack shows what it restores, from where and in which order, instead of a table of
copies it does not have.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Span, Text

from tappaas.model import CloudProvider, ConfigError, Direction, Role, SiteConfig
from tappaas.policy import (
    DataFormat,
    Disaster,
    Estimate,
    Finding,
    ProtectionReport,
    ServiceProtection,
    Severity,
    format_duration,
    restore_tiers,
)

NARROW_WIDTH = 80
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
_WIDE_HEADERS = ("service", "vmid", "copies", "formats", "off-site")
_LOST = "lost"
_NBSP = "\xa0"
"""Joins words that must stay on one line when wrapping (``removable disk``)."""
_NO_RTO = "-"
_ROW_LABEL = "  RPO  "
"""Left margin of a block's RPO and RTO rows (same width for both)."""


class _Styled:
    """A text built from ``(text, style)`` pieces in one go (``Text.append`` adds up over
    hundreds of services)."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._spans: list[Span] = []
        self._size = 0

    def add(self, text: str, style: str = "") -> None:
        if style:
            self._spans.append(Span(self._size, self._size + len(text), style))
        self._parts.append(text)
        self._size += len(text)

    def text(self) -> Text:
        return Text("".join(self._parts), spans=self._spans)


def rpo_text(estimate: Estimate) -> str:
    """Worst-case data loss: ``15min``, ``manual`` (a disk attached by hand), or ``lost``."""
    if not estimate.recoverable:
        return _LOST
    return "manual" if estimate.rpo is None else format_duration(estimate.rpo)


def rto_text(estimate: Estimate) -> str:
    """How long until it runs again (an RTO class), ``-`` when nothing survives."""
    if not estimate.recoverable or estimate.rto is None:
        return _NO_RTO
    return estimate.rto.value


def format_estimate(estimate: Estimate) -> Text:
    """``RPO / RTO`` of one disaster: ``15min / minutes``; ``lost`` when no copy survives."""
    if not estimate.recoverable:
        return Text(_LOST, style="bold red")
    return Text(f"{rpo_text(estimate)} / {rto_text(estimate)}")


def _formats(service: ServiceProtection) -> str:
    return "+".join(_FORMAT_LABELS[f] for f in service.formats)


def _wide_cells(service: ServiceProtection) -> list[str]:
    estimates = (service.estimate_for(d) for d in _DISASTER_HEADERS)
    return [
        service.name,
        str(service.vmid),
        str(len(service.copies)),
        _formats(service),
        str(service.offsite_copies),
        *(format_estimate(e).plain for e in estimates),
    ]


def wide_table_width(report: ProtectionReport) -> int:
    """Columns the one-row-per-service table needs with nothing cut (borders included)."""
    headers = [*_WIDE_HEADERS, *(f"{h}\nRPO / RTO" for h in _DISASTER_HEADERS.values())]
    widths = [max(len(line) for line in header.splitlines()) for header in headers]
    for service in report.services:
        widths = [max(w, len(cell)) for w, cell in zip(widths, _wide_cells(service), strict=True)]
    return sum(widths) + 3 * len(widths) + 1


def format_protection_table(report: ProtectionReport) -> Table:
    """One row per service: copies, formats (zfs, pbs, app export), off-site copies, and
    RPO / RTO per disaster (for a wide terminal)."""
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
            _formats(service),
            str(service.offsite_copies),
            *(format_estimate(service.estimate_for(d)) for d in _DISASTER_HEADERS),
        )
    return table


def format_service_block(service: ServiceProtection, width: int = NARROW_WIDTH) -> Text:
    """One service in a few lines that fit ``width``: name, copies, RPO and RTO per disaster.

    ::

        nextcloud · vmid 340 · high importance · 3-2-1 met
          5 copies: live disk, zfs replica, local pbs, remote pbs, removable disk
            (zfs+pbs, 1 off-site)
                 disk   node     site    ransomware  deletion  update
          RPO    0      15min    1d 2h   1d 2h       1d        1d
          RTO    none   minutes  hours   hours       < 1 hour  < 1 hour
    """
    block = _Styled()
    block.add(service.name, "bold")
    block.add(f" · vmid {service.vmid} · {service.importance.value} importance · ")
    block.add(*(("3-2-1 met", "green") if service.meets_321 else ("3-2-1 NOT met", "bold red")))
    kinds = ", ".join(copy.kind.value.replace(" ", _NBSP) for copy in service.copies)
    copies = (
        f"{len(service.copies)} copies: {kinds} ({_formats(service)}, "
        f"{service.offsite_copies}{_NBSP}off-site)"
    )
    block.add(f"\n{_wrapped(copies, width, '    ', first='  ').replace(_NBSP, ' ')}")
    estimates = [service.estimate_for(d) for d in _DISASTER_HEADERS]
    headers = _DISASTER_HEADERS.values()
    cells = [(h, rpo_text(e), rto_text(e)) for h, e in zip(headers, estimates, strict=True)]
    widths = [max(map(len, cell)) + 2 for cell in cells]
    header = " " * len(_ROW_LABEL) + "".join(
        h.ljust(w) for (h, _, _), w in zip(cells, widths, strict=True)
    )
    block.add(f"\n{header.rstrip()}", "dim")
    for label, column in (("RPO", 1), ("RTO", 2)):
        block.add(f"\n  {label}  ")
        for cell, w in zip(cells, widths, strict=True):
            value = cell[column]
            lost = value == _LOST or (value == _NO_RTO and cell[1] == _LOST)
            block.add(
                value.ljust(w) if cell is not cells[-1] else value, "bold red" if lost else ""
            )
    return block.text()


def format_protection_blocks(report: ProtectionReport, width: int = NARROW_WIDTH) -> Group:
    """The protection report as one block per service (for 80 columns)."""
    title = Text(f"Protection of {report.site} ({report.role.value})", style="italic")
    legend = Text("RPO: worst-case data loss · RTO: time until it runs again", style="dim")
    blocks: list[RenderableType] = [title, legend]
    for service in report.services:
        blocks += [Text(), format_service_block(service, width)]
    return Group(*blocks)


def format_protection(report: ProtectionReport, width: int = NARROW_WIDTH) -> RenderableType:
    """The wide table when ``width`` holds every column whole, else one block per service."""
    if not report.services:
        return Text(f"{report.site} ({report.role.value}) runs no services of its own.")
    if wide_table_width(report) <= width:
        return format_protection_table(report)
    return format_protection_blocks(report, width)


def format_guests(site: SiteConfig, width: int = NARROW_WIDTH) -> Group:
    """A peer's guests: whose copy it keeps, where, how it arrives, and what it keeps."""
    lines: list[RenderableType] = [
        Text(f"Copies {site.name} keeps for other sites (peer)", style="italic")
    ]
    guests = site.peer.guests if site.peer is not None else {}
    for name, guest in guests.items():
        source = guest.stack or f"{guest.address} (datastore {guest.datastore})"
        arrives = (
            f"pulled from {source} on schedule {guest.schedule}"
            if guest.direction is Direction.PULL
            else f"pushed by {source} with {guest.writer_token_id} (may write, not delete)"
        )
        filters = [
            "encrypted snapshots only" if guest.encrypted_only else "all snapshots",
            "deletions at the source propagate"
            if guest.remove_vanished
            else "deletions at the source do not propagate",
        ]
        body = (
            f"namespace {guest.namespace}, {arrives}; keeps {guest.retention.describe()}; "
            f"{'; '.join(filters)}"
        )
        block = Text()
        block.append(name, style="bold")
        block.append(f"\n{_wrapped(body, width, '  ')}")
        lines += [Text(), block]
    if not guests:
        lines.append(Text("none"))
    return Group(*lines)


def format_recovery_plan(site: SiteConfig, width: int = NARROW_WIDTH) -> Group:
    """A recovery stack: what it restores, from where, in which order, and how."""
    remote = site.remote
    if remote is None:
        return Group(Text(f"{site.name} has no copy to restore from (remote).", style="red"))
    source = remote.peer_stack or remote.address
    where = f"datastore {remote.datastore}, " if remote.datastore else ""
    reader = f", reading with {remote.credential.token_id}" if remote.credential else ""
    tiers = restore_tiers(site)
    order = [name for tier in tiers for name in tier]
    how = [
        "live-restore on (each runs while its disks stream in)"
        if site.recovery.live_restore
        else "full restore before start",
        f"methods {', '.join(m.value for m in site.recovery.methods)}",
    ]
    if site.recovery.vlan is not None:
        how.append(f"on VLAN {site.recovery.vlan}")
    if any(len(tier) > 1 for tier in tiers):
        how.append("services under one number restore side by side")
    intro = (
        f"{_rented_host(site)}Restores {len(order)} service(s) from the copy at {source} "
        f"({where}namespace {remote.namespace or '(root)'}){reader}, each from its newest "
        f"backup, a number after the one before it; {'; '.join(how)}."
    )
    lines: list[RenderableType] = [
        Text(f"Recovery plan of {site.name} ({site.role.value})", style="italic"),
        Text(_wrapped(intro, width, "")),
    ]
    number_width = len(str(len(tiers)))
    name_width = max((len(name) for name in order), default=0)
    for number, tier in enumerate(tiers, 1):
        for position, name in enumerate(tier):
            service = site.services[name]
            label = f"{number:>{number_width}}." if position == 0 else " " * (number_width + 1)
            lines.append(
                Text(f"  {label} {name:<{name_width}}  vmid {service.vmid} → {_target(site, name)}")
            )
    return Group(*lines)


def _rented_host(site: SiteConfig) -> str:
    """The intro's first sentence for a stack that rents its host (``cloud:``)."""
    cloud = site.cloud
    if cloud is None:
        return ""
    if cloud.provider is CloudProvider.EXISTING:
        return f"Sets up nothing new: the host at {cloud.address} runs Proxmox VE already. "
    machine = ", ".join(part for part in (cloud.size, cloud.zone or cloud.region) if part)
    return (
        f"Rents a {cloud.provider.value} host ({machine}; data disk {cloud.disk_gb} GB) and "
        "installs Proxmox VE on it. "
    )


def _target(site: SiteConfig, name: str) -> str:
    """Where a service lands: its own node and pool, or the rented host's data storage."""
    if site.cloud is not None:
        return f"{site.cloud.node}, storage {site.cloud.storage_id}"
    service = site.services[name]
    pool = site.datapools[service.pool].storage_id if service.pool in site.datapools else ""
    return f"{service.node}, storage {pool}"


def _wrapped(text: str, width: int, indent: str, first: str | None = None) -> str:
    """``text`` in lines of at most ``width`` (indents included), wrapped at spaces only: a
    key path or a word is never split. Lines start with ``indent`` (the first with ``first``
    when given)."""
    return "\n".join(
        textwrap.wrap(
            text,
            width,
            initial_indent=indent if first is None else first,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def format_findings(
    findings: Sequence[Finding], role: Role = Role.SITE, width: int = NARROW_WIDTH
) -> RenderableType:
    """The findings, one block each (severity, code, path; the message; the fix), or a clean
    bill that fits the stack's role. Lines wrap at spaces, so a key path is never cut."""
    if not findings:
        meets = (
            "the recovery plan is complete"
            if role is Role.CLOUD_RECOVERY
            else "3-2-1, HA and retention meet the design"
        )
        return Text(f"No findings: {meets}.", style="green")
    label_width = max(len(severity.value) for severity in Severity) + 1
    indent = " " * label_width
    text = _Styled()
    text.add("Findings", "italic")
    for finding in findings:
        text.add("\n")
        text.add(finding.severity.value.ljust(label_width), _SEVERITY_STYLE[finding.severity])
        text.add(finding.code.value, "bold")
        text.add("  ")
        text.add(finding.path, "cyan")
        text.add(f"\n{_wrapped(finding.message, width, indent)}")
        if finding.fix:
            text.add(f"\n{_wrapped(f'fix: {finding.fix}', width, indent)}", "dim")
    return text.text()


def format_summary(findings: Sequence[Finding]) -> Text:
    """``2 error(s) (deployment blocked), 3 warning(s)``."""
    errors = sum(f.blocks_deployment for f in findings)
    warnings = len(findings) - errors
    text = Text(f"{errors} error(s)", style="bold red" if errors else "green")
    if errors:
        text.append(" (deployment blocked)", style="bold red")
    text.append(f", {warnings} warning(s)")
    return text


def format_check(
    site: SiteConfig,
    report: ProtectionReport,
    findings: Sequence[Finding],
    width: int = NARROW_WIDTH,
) -> Group:
    """Everything ``tappaas check`` prints for a valid config, laid out for ``width``."""
    parts: list[RenderableType] = [format_findings(findings, site.role, width), Text()]
    if site.role is Role.CLOUD_RECOVERY:
        parts.append(format_recovery_plan(site, width))
    else:
        parts.append(format_protection(report, width))
    if site.role is Role.PEER:
        parts += [Text(), format_guests(site, width)]
    parts += [Text(), format_summary(findings)]
    return Group(*parts)


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
