"""``PbsVerifyJob``: a PBS verify job, which finds silently corrupted chunks.

Everything but the id changes in place.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider
from tappaas.client import ProxmoxClient
from tappaas.pbs.section import SectionConfig
from tappaas.pbs.verify import VerifyJob, VerifyJobIdentity, verify_jobs


class PbsVerifyJobProps(Props, VerifyJob):
    identity = frozenset(VerifyJobIdentity.model_fields)


class PbsVerifyJobProvider(SectionProvider[PbsVerifyJobProps]):
    props_type = PbsVerifyJobProps
    wire_type = VerifyJob

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return verify_jobs(client)


class PbsVerifyJob(ObjectResource, module="pbs", name="VerifyJob"):
    """A PBS verify job: finds silently corrupted chunks."""

    provider_type = PbsVerifyJobProvider
