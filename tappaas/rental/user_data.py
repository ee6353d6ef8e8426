"""The recovery host's user-data, from the stack's model and its secrets (one call per host).

Backends call ``render_user_data`` inside an ``Output.apply`` once the secrets (and, on
EC2, the data volume's id) are known; everything else comes from ``cloud:`` and the
provider's ``HostFacts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from tappaas.model import SiteConfig
from tappaas.model._types import split_address
from tappaas.model.recovery import SOURCE_STORAGE
from tappaas.policy import restore_tiers
from tappaas.rental.cloud_init import HostSecrets, render_cloud_init
from tappaas.rental.facts import FACTS
from tappaas.rental.interfaces import render_interfaces
from tappaas.rental.plan import tunnel_routes
from tappaas.rental.setup_script import HostSetup, StagingPlan, render_setup_script
from tappaas.rental.wireguard import render_wireguard

PBS_PORT = 8007


@dataclass(frozen=True)
class SecretValues:
    """The stack's secret config values the host is set up with."""

    root_password: SecretStr
    api_token: SecretStr
    tls_key: SecretStr
    tls_certificate: SecretStr
    wireguard_key: SecretStr | None = None
    reader_token: SecretStr | None = None
    """Staging: the peer's read-only token secret."""
    encryption_key: SecretStr | None = None
    """Staging: the backups' key."""


def fqdn(site: SiteConfig) -> str:
    assert site.cloud is not None
    return f"{site.cloud.node}.{site.cloud.domain}"


def staging_plan(site: SiteConfig) -> StagingPlan | None:
    """What the host pulls into its own PBS (``cloud.staging``), or None."""
    cloud, remote = site.cloud, site.remote
    assert cloud is not None and remote is not None
    if not cloud.staging:
        return None
    assert remote.address and remote.fingerprint and remote.datastore and remote.credential
    host, port = split_address(remote.address)
    groups = tuple(
        f"vm/{site.services[name].vmid}" for tier in restore_tiers(site) for name in tier
    )
    return StagingPlan(
        remote_host=host,
        remote_port=port or PBS_PORT,
        remote_fingerprint=remote.fingerprint,
        remote_datastore=remote.datastore,
        remote_namespace=remote.namespace,
        reader_token_id=remote.credential.token_id,
        groups=groups,
        source_storage=SOURCE_STORAGE,
    )


def host_setup(site: SiteConfig, volume_id: str = "") -> HostSetup:
    """The setup script's facts for ``site``'s rented host."""
    cloud = site.cloud
    assert cloud is not None
    facts = FACTS[cloud.provider]
    return HostSetup(
        node=cloud.node,
        fqdn=fqdn(site),
        host_address=str(cloud.host_network.ip),
        nic=facts.nic,
        data_device=facts.data_device(volume_id),
        storage_id=cloud.storage_id,
        token_id=cloud.token_id,
        wireguard=cloud.wireguard is not None,
        staging=staging_plan(site),
    )


def render_user_data(site: SiteConfig, secrets: SecretValues, volume_id: str = "") -> str:
    """The whole ``#cloud-config`` document for ``site``'s rented host."""
    cloud = site.cloud
    assert cloud is not None
    facts = FACTS[cloud.provider]
    wireguard = None
    if cloud.wireguard is not None:
        assert secrets.wireguard_key is not None, "the WireGuard key is needed"
        wireguard = SecretStr(
            render_wireguard(
                private_key=secrets.wireguard_key,
                address=cloud.wireguard.address,
                mtu=facts.tunnel_mtu,
                peer_public_key=cloud.wireguard.peer_public_key,
                endpoint=cloud.wireguard.endpoint,
                allowed_ips=tunnel_routes(site),
                keepalive_seconds=cloud.wireguard.keepalive_seconds,
            )
        )
    interfaces = render_interfaces(
        nic=facts.nic,
        mtu=facts.mtu,
        bridge=cloud.bridge,
        guest_network=cloud.guest_network,
        forwards=cloud.forwards,
    )
    staging = cloud.staging
    return render_cloud_init(
        hostname=cloud.node,
        fqdn=fqdn(site),
        interfaces=interfaces,
        setup_script=render_setup_script(host_setup(site, volume_id)),
        secrets=HostSecrets(
            root_password=secrets.root_password,
            api_token=secrets.api_token,
            tls_key=secrets.tls_key,
            tls_certificate=secrets.tls_certificate,
            wireguard=wireguard,
            reader_token=secrets.reader_token if staging else None,
            encryption_key=secrets.encryption_key if staging else None,
        ),
        ssh_keys=cloud.ssh_keys,
    )
