"""PBS verify jobs (``/config/verify``): re-reading chunks so silent corruption is found early."""

from __future__ import annotations

from tappaas.client import ProxmoxClient
from tappaas.model._types import PbsId
from tappaas.pbs.section import SectionConfig
from tappaas.wire import WireModel


class VerifyJobIdentity(WireModel):
    id: PbsId


class VerifyJobSettings(WireModel):
    # proxmox-backup src/api2/config/verify.rs ``DeletableProperty``.
    deletable = frozenset(
        {"ignore_verified", "comment", "schedule", "outdated_after", "ns", "max_depth"}
        | {"read_threads", "verify_threads"}
    )

    store: str
    schedule: str | None = None
    ns: str | None = None
    max_depth: int | None = None
    ignore_verified: bool | None = None
    outdated_after: int | None = None
    """Days after which a verified snapshot is verified again."""
    read_threads: int | None = None
    verify_threads: int | None = None
    comment: str | None = None


class VerifyJob(VerifyJobIdentity, VerifyJobSettings):
    """A whole verify job entry."""


def verify_jobs(client: ProxmoxClient) -> SectionConfig[VerifyJob]:
    """The verify jobs of one PBS."""
    return SectionConfig(client, "verify", VerifyJob, VerifyJobSettings)
