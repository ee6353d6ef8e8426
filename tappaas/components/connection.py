"""From the site model to what resources need to reach Proxmox: endpoints and providers.

Our dynamic providers get an ``Endpoint`` input (address, pinned fingerprint, token id and
the *name* of the config key holding the token secret; ``configure()`` reads the secret).
The upstream provider gets its token as a secret Output resolved from the same config key.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_proxmoxve as proxmoxve
from pydantic import SecretStr

from providers.upstream_adoption import UpstreamInventory
from tappaas.client import ConnectionSettings, Product, ProxmoxClient
from tappaas.model import ApiToken, ClusterApi, Endpoint, SecretRef
from tappaas.model._types import join_address
from tappaas.model.secrets import clean_secret, clean_token_secret


def secret(ref: SecretRef) -> pulumi.Output[str]:
    """The secret a ``{secret: key}`` reference names, as a secret Output, without the
    whitespace a paste leaves around it."""
    source = f"stack config key '{ref.secret}'"
    return (
        pulumi.Config(ref.namespace)
        .require_secret(ref.key)
        .apply(lambda value: clean_secret(value, source))
    )


def token_secret(ref: SecretRef) -> pulumi.Output[str]:
    """An API token's secret (as ``secret``), refused if it could not be one."""
    source = f"stack config key '{ref.secret}'"
    return (
        pulumi.Config(ref.namespace)
        .require_secret(ref.key)
        .apply(lambda value: clean_token_secret(value, source))
    )


def endpoint_input(product: Product, endpoint: Endpoint, token: ApiToken) -> dict[str, Any]:
    """The ``endpoint`` input of our dynamic resources (no secret inside)."""
    return {
        "product": product.value,
        "host": endpoint.host,
        "port": endpoint.port,
        "fingerprint": endpoint.fingerprint,
        "token_id": token.token_id,
        "token_secret_config": token.token_secret.secret,
    }


def upstream_provider(
    name: str, api: ClusterApi, opts: pulumi.ResourceOptions | None = None
) -> proxmoxve.Provider:
    """The upstream proxmoxve provider for the cluster API, authenticated with its token.

    It cannot pin a fingerprint: the PVE certificate must be trusted by the system (or by the
    CA bundle ``SSL_CERT_FILE`` names, e.g. the cluster's ``pve-root-ca.pem``).
    """
    port = api.port or 8006
    token = token_secret(api.api_token.token_secret).apply(
        lambda value: f"{api.api_token.token_id}={value}"
    )
    return proxmoxve.Provider(
        name,
        endpoint=f"https://{join_address(api.host, port)}/",
        api_token=token,  # secret: derived from a secret config value
        insecure=False,
        opts=opts,
    )


def upstream_inventory(api: ClusterApi) -> UpstreamInventory:
    """What exists of the upstream plugin's objects on this cluster, read with the same token
    and pinned like our providers; reads happen only when a component asks."""
    token = api.api_token
    secret = pulumi.Config(token.token_secret.namespace).require(token.token_secret.key)
    settings = ConnectionSettings(
        product=Product.PVE,
        host=api.host,
        port=api.port,
        fingerprint=api.fingerprint,
        token_id=token.token_id,
        token_secret=SecretStr(secret),
    )
    return UpstreamInventory(ProxmoxClient(settings))
