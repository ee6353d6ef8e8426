"""Renting the recovery host, as pure data and text (no Pulumi, no HTTP): tested as text.

- ``host_plan(site) -> HostPlan``: what any backend rents (size, disk, who may reach it).
- ``FACTS[provider] -> HostFacts``: NIC, MTU and data-disk path of the provider's hosts.
- ``render_user_data(site, SecretValues, volume_id)``: the ``#cloud-config`` that installs
  Proxmox VE (``render_cloud_init`` + ``render_setup_script``), with our
  ``/etc/network/interfaces`` (``render_interfaces``) and WireGuard (``render_wireguard``).
- ``estimate_recovery(...)`` / ``hourly_cost(...)``: the RTO and cost the stack prints.
- ``generate_credentials(node, fqdn)``: the host's secrets (``tappaas cloud credentials``);
  ``certificate_fingerprint(pem)``, ``wireguard_public_key(key)``.
"""

from tappaas.rental.cloud_init import HostSecrets, render_cloud_init
from tappaas.rental.credentials import (
    HostCredentials,
    certificate_fingerprint,
    generate_credentials,
    wireguard_public_key,
)
from tappaas.rental.estimate import (
    RecoveryEstimate,
    ServiceEstimate,
    estimate_recovery,
    hourly_cost,
    transfer_time,
)
from tappaas.rental.facts import FACTS, HostFacts
from tappaas.rental.interfaces import render_interfaces
from tappaas.rental.plan import HostPlan, host_plan, tunnel_routes
from tappaas.rental.setup_script import HostSetup, StagingPlan, render_setup_script, step_names
from tappaas.rental.user_data import SecretValues, fqdn, host_setup, render_user_data
from tappaas.rental.wireguard import render_wireguard

__all__ = [
    "FACTS",
    "HostCredentials",
    "HostFacts",
    "HostPlan",
    "HostSecrets",
    "HostSetup",
    "RecoveryEstimate",
    "SecretValues",
    "ServiceEstimate",
    "StagingPlan",
    "certificate_fingerprint",
    "estimate_recovery",
    "fqdn",
    "generate_credentials",
    "host_plan",
    "host_setup",
    "hourly_cost",
    "render_cloud_init",
    "render_interfaces",
    "render_setup_script",
    "render_user_data",
    "render_wireguard",
    "step_names",
    "transfer_time",
    "tunnel_routes",
    "wireguard_public_key",
]
