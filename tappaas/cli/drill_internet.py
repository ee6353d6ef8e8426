"""``tappaas drill internet --stack NAME``: will the site keep resolving when the uplink dies?

Asks the site's resolvers (``network.resolvers``) for every declared name over UDP and TCP,
checks that site names come from the resolver's own data, that outside names resolve, and
how an uncached outside name fails; with ``network.opnsense``, reads the firewall's Unbound
settings (serve-expired, prefetch, host overrides) through its API. Read-only.

Exit codes (monitoring plugin convention): 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN (a resolver or the
OPNsense API did not answer, or the stack's config cannot be used).
Rendering is done by the pure ``format_*`` functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tappaas.cli.check_output import format_config_error
from tappaas.internet import (
    DEFAULT_TIMEOUT,
    InternetDrill,
    NameCheck,
    NameKind,
    QueryOutcome,
    Status,
    run_internet_drill,
)
from tappaas.internet.verdict import milliseconds
from tappaas.model import ConfigError, OpnsenseApi, SiteConfig, load_stack_file
from tappaas.policy import Finding, Severity, UnboundSettings

DEFAULT_BACKEND = Path(".pulumi-state")
STATUS_STYLE = {
    Status.OK: "green",
    Status.WARN: "yellow",
    Status.CRIT: "bold red",
    Status.UNKNOWN: "magenta",
}
KIND_LABEL = {NameKind.SERVICE: "", NameKind.OUTSIDE: " (outside)", NameKind.UNCACHED: ""}


def format_status(status: Status) -> Text:
    return Text(status.name, style=STATUS_STYLE[status])


def format_times(check: NameCheck) -> str:
    """``1 / 2 ms``: UDP and TCP answer times (``-`` for no answer)."""

    def one(outcome: QueryOutcome | None) -> str:
        if outcome is None:
            return ""
        return milliseconds(outcome.seconds) if outcome.answered else "-"

    udp, tcp = one(check.udp), one(check.tcp)
    return f"{udp} / {tcp}" if tcp else udp


def format_names(report: InternetDrill, resolver: str) -> Table:
    """One row per name asked of ``resolver``: state, name (with the reason below it when
    there is one to give), where the answer came from, and the UDP / TCP answer times."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("state", no_wrap=True)
    table.add_column("name / why", overflow="fold", ratio=1)
    table.add_column("answer", no_wrap=True)
    table.add_column("UDP / TCP", no_wrap=True)
    for check in report.names:
        if check.resolver != resolver:
            continue
        name = "(uncached name)" if check.kind is NameKind.UNCACHED else check.name
        cell = Text(name + KIND_LABEL[check.kind])
        if check.status is not Status.OK or check.kind is not NameKind.SERVICE:
            cell.append(f"\n{check.why}", style="dim")
        table.add_row(format_status(check.status), cell, check.origin.value, format_times(check))
    return table


def format_unbound(settings: UnboundSettings, report: InternetDrill) -> Table:
    """The firewall's Unbound settings that matter offline, and the overrides vs our names."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("setting", no_wrap=True, style="bold")
    table.add_column("value", ratio=1)

    def number(value: int | None, unit: str) -> str:
        return "Unbound's default" if value is None else f"{value} {unit}"

    if settings.serve_expired:
        expired = (
            f"on: window {number(settings.serve_expired_ttl, 's')} after expiry"
            f"{' (reset on failure)' if settings.serve_expired_ttl_reset else ''}, reply TTL "
            f"{number(settings.serve_expired_reply_ttl, 's')}, client timeout "
            f"{number(settings.serve_expired_client_timeout, 'ms')}"
        )
    else:
        expired = "off"
    table.add_row("serve-expired", expired)
    table.add_row("prefetch", "on" if settings.prefetch else "off")
    upstream = ", ".join(settings.forwarders) or (
        "system nameservers" if settings.forwarding else "recursion from the root servers"
    )
    table.add_row("upstream", upstream)
    table.add_row("local zone type", settings.local_zone_type)
    site_names = sorted({c.name for c in report.names if c.kind is NameKind.SERVICE})
    missing = [name for name in site_names if settings.override_for(name) is None]
    enabled = [o for o in settings.host_overrides if o.enabled]
    overrides = f"{len(enabled)} enabled; {len(site_names) - len(missing)} of {len(site_names)} "
    overrides += "site names covered"
    if missing:
        overrides += f"; none for {', '.join(missing)}"
    table.add_row("host overrides", overrides)
    return table


def format_drill_findings(findings: tuple[Finding, ...]) -> Group:
    """The live-settings findings as wrapped paragraphs (the fix names OPNsense's settings,
    whose long field names would be cut in a narrow table cell)."""
    lines: list[RenderableType] = [Text("Findings", style="bold")]
    for finding in findings:
        style = "bold red" if finding.severity is Severity.ERROR else "yellow"
        lines.append(
            Text.assemble(
                (finding.severity.value, style),
                f" {finding.code.value} ",
                (finding.path, "cyan"),
                f": {finding.message}",
            )
        )
        if finding.fix:
            lines.append(Padding(Text(f"fix: {finding.fix}", style="dim"), (0, 0, 0, 2)))
    return Group(*lines)


def format_internet_drill(report: InternetDrill) -> Group:
    """Everything the drill prints: resolvers and their names, OPNsense, findings, verdict."""
    parts: list[RenderableType] = [
        Text.assemble(
            (f"Internet drill of {report.site}", "bold"),
            f" ({report.started}): ",
            format_status(report.status),
        )
    ]
    for resolver in report.resolvers:
        runs_in = f" ({resolver.service})" if resolver.service else ""
        parts.append(
            Text.assemble(
                "\n",
                ("Resolver ", "bold"),
                (f"{resolver.address}{runs_in}", "bold"),
                ": ",
                format_status(resolver.status),
                f", {resolver.why}",
            )
        )
        if any(check.resolver == resolver.address for check in report.names):
            parts.append(format_names(report, resolver.address))
    if report.opnsense is not None:
        title = Text.assemble(
            "\n",
            ("Unbound on the firewall", "bold"),
            f" (OPNsense {report.opnsense.address}): ",
            format_status(report.opnsense.status),
        )
        parts.append(title)
        if report.opnsense.settings is not None:
            parts.append(format_unbound(report.opnsense.settings, report))
        else:
            parts.append(Text(report.opnsense.error or "not read"))
    else:
        parts.append(
            Text(
                "\nUnbound settings not read (no network.opnsense): serve-expired and prefetch "
                "unknown.",
                style="dim",
            )
        )
    if report.findings:
        parts.append(Text())
        parts.append(format_drill_findings(report.findings))
    parts.append(format_verdict(report))
    return Group(*parts)


def format_verdict(report: InternetDrill) -> Text:
    """``CRIT: 2 name(s) fail offline: a.b, c.d`` — the worst rows, named."""
    bad = [c for c in report.names if c.status is report.status]
    text = Text("\n")
    text.append_text(format_status(report.status))
    if report.status is Status.OK:
        text.append(": every site name resolves from local data")
        return text
    named = ", ".join(sorted({c.name for c in bad}))
    sources = [r.address for r in report.resolvers if r.status is report.status]
    if report.opnsense is not None and report.opnsense.status is report.status:
        sources.append(f"OPNsense {report.opnsense.address}")
    details = []
    if named:
        details.append(f"{len(bad)} check(s): {named}")
    if sources:
        details.append(f"sources: {', '.join(sources)}")
    findings = [f.code.value for f in report.findings]
    if findings and report.status is Status.WARN:
        details.append(f"settings: {', '.join(findings)}")
    text.append(": " + "; ".join(details))
    return text


def format_drill_json(report: InternetDrill) -> str:
    """The report as JSON (times in seconds, statuses as names and codes)."""
    document = report.model_dump(mode="json")
    document["status_name"] = report.status.name
    return json.dumps(document, indent=2)


def _opnsense_reader(
    api: OpnsenseApi, stack: str, project_dir: Path, backend: Path
) -> Callable[[], UnboundSettings]:
    """Reads the API key pair from the stack's secret config, then Unbound's settings."""

    def read() -> UnboundSettings:
        from tappaas.automation.config_secrets import (  # noqa: PLC0415  (loads Pulumi)
            ConfigSecretError,
            read_config_secrets,
        )
        from tappaas.opnsense import (  # noqa: PLC0415
            OpnsenseClient,
            OpnsenseConnection,
            OpnsenseError,
            read_unbound,
        )

        keys = [api.api_key.secret, api.api_secret.secret]
        try:
            secrets = read_config_secrets(project_dir, stack, keys, project_dir / backend)
        except ConfigSecretError as exc:
            raise OpnsenseError(f"no API key pair: {exc}") from None
        client = OpnsenseClient(
            OpnsenseConnection(
                host=api.host,
                port=api.port,
                fingerprint=api.fingerprint,
                api_key=secrets[keys[0]],
                api_secret=secrets[keys[1]],
            )
        )
        try:
            return read_unbound(client)
        finally:
            client.close()

    return read


def load_site(stack: str, project_dir: Path, as_json: bool) -> SiteConfig:
    """The stack's site config, or exit 3 (UNKNOWN) saying why it cannot be drilled."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    try:
        site = load_stack_file(path)
    except ConfigError as error:
        if as_json:
            issues = [{"path": i.path, "message": i.message} for i in error.issues]
            typer.echo(json.dumps({"status_name": "UNKNOWN", "issues": issues}, indent=2))
        else:
            Console(stderr=True).print(format_config_error(path, error), soft_wrap=True)
        raise typer.Exit(int(Status.UNKNOWN)) from None
    if site.network is None:
        typer.echo(f"UNKNOWN: {path} has no network section: no resolver to drill", err=True)
        raise typer.Exit(int(Status.UNKNOWN))
    return site


def internet(
    stack: Annotated[str, typer.Option("--stack", help="Stack name: reads Pulumi.<stack>.yaml.")],
    project_dir: Annotated[
        Path, typer.Option("--dir", help="Project directory (holds Pulumi.yaml).")
    ] = Path(),
    backend: Annotated[
        Path, typer.Option("--backend", help="Local state backend (for the API secrets).")
    ] = DEFAULT_BACKEND,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each DNS answer.", min=0.1, max=30)
    ] = DEFAULT_TIMEOUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Will the site keep resolving when the uplink dies? Asks its resolvers for every
    declared name (UDP and TCP) and reads the firewall's Unbound settings. Exit codes: 0 OK,
    1 WARN, 2 CRIT, 3 UNKNOWN (a source did not answer)."""
    site = load_site(stack, project_dir, as_json)
    assert site.network is not None
    api = site.network.opnsense
    reader = _opnsense_reader(api, stack, project_dir, backend) if api is not None else None
    report = run_internet_drill(site, reader, timeout)
    if as_json:
        typer.echo(format_drill_json(report))
    else:
        Console().print(format_internet_drill(report))
    raise typer.Exit(int(report.status))
