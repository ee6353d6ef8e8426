"""The Pulumi program: read ``tappaas:site``, run the policy, build the stack's role.

Used by ``__main__.py`` (a Pulumi language host runs it) and by ``tappaas stack …`` (the
Automation API runs it inline when no language host is installed). A config error or a policy
error fails ``pulumi preview``/``up`` with the message, before any resource is touched, so a
pull request's preview catches a broken 3-2-1.

Stack config: ``tappaas:site`` (object, required), the site model (see ``tappaas.model``).
"""

from __future__ import annotations

from typing import Any

import pulumi

from tappaas.components.rented_recovery import RentedRecovery
from tappaas.components.site import CloudRecovery, Site
from tappaas.model import CONFIG_KEY, ConfigError, Role, SecretRef, SiteConfig, load_site_config
from tappaas.policy import Finding, evaluate, protection_report, summarize, unset_secrets

PROJECT = CONFIG_KEY.split(":", 1)[0]
SITE_KEY = CONFIG_KEY.split(":", 1)[1]


class PolicyError(pulumi.RunError):
    """The site config breaks a rule that blocks deployment (or does not parse)."""


def describe(finding: Finding) -> str:
    return f"[{finding.code.value}] {finding.path}: {finding.message} (fix: {finding.fix})"


def load_site(config: pulumi.Config) -> SiteConfig:
    """The validated model; every problem in one error that names the config paths."""
    raw: dict[str, Any] = config.require_object(SITE_KEY)
    try:
        return load_site_config(raw)
    except ConfigError as exc:
        raise PolicyError(f"{CONFIG_KEY} is invalid:\n{exc}") from None


def check_policy(site: SiteConfig) -> None:
    """Warnings go to the log; errors stop the program with every blocking finding."""
    findings = evaluate(site)
    for finding in findings:
        if not finding.blocks_deployment:
            pulumi.log.warn(describe(finding))
    blocking = [describe(f) for f in findings if f.blocks_deployment]
    if blocking:
        raise PolicyError("policy errors block deployment:\n" + "\n".join(blocking))


def build(site: SiteConfig) -> None:
    """The component for the stack's role, and its exports."""
    report = protection_report(site)
    if site.role is Role.CLOUD_RECOVERY:
        recovery = CloudRecovery(site.name, site)
        pulumi.export(
            "restored",
            {name: vm.restored_snapshot for name, vm in recovery.recovery.restored.items()},
        )
        if recovery.rented is not None:
            export_rented(recovery.rented)
    else:
        component = Site(site.name, site)
        if component.offsite_source is not None:
            pulumi.export("offsite_source", pulumi.Output.secret(component.offsite_source))
        if component.guests is not None:
            pulumi.export("guests", component.guests)
    pulumi.export("summary", summarize(report))
    pulumi.export("protection", report.model_dump(mode="json"))


def export_rented(rented: RentedRecovery) -> None:
    """What an admin needs from a cloud recovery: where, what, how long, how much."""
    pulumi.export("pve_url", rented.pve_url)
    pulumi.export("pve_fingerprint", rented.fingerprint)
    pulumi.export("services", rented.services)
    pulumi.export("rto_estimate", rented.rto_estimate)
    pulumi.export("hourly_cost", rented.hourly_cost)
    if rented.wireguard_public_key is not None:
        pulumi.export("wireguard_public_key", rented.wireguard_public_key)


def is_set(ref: SecretRef) -> bool:
    """Whether the stack config holds the secret ``ref`` names."""
    return pulumi.Config(ref.namespace).get_secret(ref.key) is not None


def check_secrets(site: SiteConfig) -> None:
    """A recovery stack stops before renting anything if a secret it needs is not set."""
    missing = [describe(finding) for finding in unset_secrets(site, is_set)]
    if missing:
        raise PolicyError("secrets missing from the stack config:\n" + "\n".join(missing))


def main() -> None:
    config = pulumi.Config(PROJECT)
    site = load_site(config)
    check_policy(site)
    check_secrets(site)
    build(site)
