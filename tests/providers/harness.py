"""Driving a dynamic provider in-process against the lab, as the engine would.

The provider is configured exactly as in a stack: ``configure()`` receives the stack config,
in which the token secret sits under a key the endpoint names.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pydantic import SecretStr

from lab import Endpoint as LabEndpoint
from providers._errors import ProviderError
from providers._lifecycle import ObjectProvider
from tappaas.client import ConnectionSettings, Product, ProxmoxClient

PROJECT = "test"
P = TypeVar("P", bound=ObjectProvider[Any])


def endpoint(lab_endpoint: LabEndpoint, secret_key: str | None = None) -> dict[str, Any]:
    """The ``endpoint`` input for a resource living on this lab instance."""
    return {
        "product": lab_endpoint.product,
        "host": lab_endpoint.host,
        "port": lab_endpoint.port,
        "fingerprint": lab_endpoint.fingerprint,
        "token_id": lab_endpoint.token_id,
        "token_secret_config": secret_key or f"{lab_endpoint.name}Token",
    }


def stack_config(*lab_endpoints: LabEndpoint) -> dict[str, Any]:
    """The stack config a user would set with ``pulumi config set --secret``."""
    return {f"{PROJECT}:{e.name}Token": e.token_secret for e in lab_endpoints}


def configured(provider: P, config: dict[str, Any]) -> P:
    provider.configure(ConfigureRequest(Config(config, PROJECT)))
    return provider


def lifecycle_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """What the engine passes to create: the inputs plus the (opaque) pickled provider."""
    return {**inputs, "__provider": "opaque"}


def lab_client(lab_endpoint: LabEndpoint) -> ProxmoxClient:
    """A plain client on a lab instance, for test set-up and for changes behind Pulumi's back."""
    return ProxmoxClient(
        ConnectionSettings(
            product=Product(lab_endpoint.product),
            host=lab_endpoint.host,
            port=lab_endpoint.port,
            fingerprint=lab_endpoint.fingerprint,
            token_id=lab_endpoint.token_id,
            token_secret=SecretStr(lab_endpoint.token_secret),
        )
    )


def add_datastores(client: ProxmoxClient, *names: str, under: str = "/tankc") -> None:
    """Test set-up: PBS datastores ``names``, each at ``<under>/<name>``."""
    for name in names:
        client.wait_for_task(client.post("/config/datastore", name=name, path=f"{under}/{name}"))


def add_pbs_storage(
    pve: ProxmoxClient,
    storage: str,
    pbs: LabEndpoint,
    datastore: str,
    *,
    token: tuple[str, str] | None = None,
    **extra: Any,
) -> None:
    """Test set-up: a PVE storage entry ``storage`` on a lab PBS's ``datastore``, logging in
    with ``token`` (id, secret; default the lab's root token)."""
    username, password = token or (pbs.token_id, pbs.token_secret)
    pve.post(
        "/storage",
        storage=storage,
        type="pbs",
        server=pbs.host,
        port=pbs.port,
        datastore=datastore,
        username=username,
        password=password,
        fingerprint=pbs.fingerprint,
        **extra,
    )


@contextlib.contextmanager
def fails_with(
    kind: type[BaseException], match: str | None = None
) -> Iterator[pytest.ExceptionInfo[ProviderError]]:
    """A provider call fails as the user sees it: one line (no traceback) standing for an
    exception of ``kind``; ``match`` is searched in that line."""
    with pytest.raises(ProviderError) as failed:
        yield failed
    line = str(failed.value)
    assert "\n" not in line and "Traceback" not in line, line
    assert isinstance(failed.value.original, kind), repr(failed.value.original)
    if match is not None:
        assert re.search(match, line), line
