"""Host backends: one module per provider, each renting the recovery host a ``HostPlan`` names.

The interface (``HostBackend``) is small on purpose: a backend gets the plan (pure data:
``tappaas.rental.plan``) and a function that renders the host's user-data once the data
volume's id is known, and returns the rented host's API address, the instance to wait for,
and the data disk (protected until ``failback_confirmed``). Each backend's cloud SDK is
imported only when that backend is chosen (``backend_for``), so a stack on GCP never loads
the AWS SDK and the on-premises stacks load neither.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol

import pulumi

from tappaas.model import CloudProvider
from tappaas.rental import HostPlan

UserData = Callable[[pulumi.Input[str]], pulumi.Output[str]]
"""The host's ``#cloud-config`` (a secret Output) given the data volume's id ("" if unused)."""

MODULES = {
    CloudProvider.GCP: ("tappaas.components.hosts.gcp", "GcpHost"),
    CloudProvider.AWS: ("tappaas.components.hosts.aws", "AwsHost"),
    CloudProvider.EXISTING: ("tappaas.components.hosts.existing", "ExistingHost"),
}
SDK_HINT = "install the cloud SDKs: pip install 'tappaas[cloud]'"


class RentedHost(Protocol):
    """What the recovery needs from a backend's host."""

    address: pulumi.Output[str]
    """Where its PVE API answers (the static public address)."""
    port: int | None
    """The API port if not PVE's 8006."""
    waits_for: list[pulumi.Resource]
    """What the readiness wait depends on (the instance and its network)."""
    data_disk: pulumi.Resource | None


class HostBackend(Protocol):
    """A backend: rents the host of ``plan`` (a ``ComponentResource`` class)."""

    def __call__(
        self,
        name: str,
        plan: HostPlan,
        user_data: UserData,
        opts: pulumi.ResourceOptions | None = None,
    ) -> RentedHost: ...


class MissingSdkError(ImportError):
    """The chosen provider's Pulumi SDK is not installed."""


def backend_for(provider: CloudProvider) -> HostBackend:
    """The backend class of ``provider`` (imported now)."""
    module_name, class_name = MODULES[provider]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise MissingSdkError(f"provider {provider}: {error}; {SDK_HINT}") from error
    backend: HostBackend = getattr(module, class_name)
    return backend
