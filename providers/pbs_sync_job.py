"""``PbsSyncJob``: a PBS sync job (pull or push, local or with a remote PBS).

Everything but the id changes in place.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider
from tappaas.client import ProxmoxClient
from tappaas.pbs.section import SectionConfig
from tappaas.pbs.sync import SyncJob, SyncJobIdentity, sync_jobs


class PbsSyncJobProps(Props, SyncJob):
    identity = frozenset(SyncJobIdentity.model_fields)


class PbsSyncJobProvider(SectionProvider[PbsSyncJobProps]):
    props_type = PbsSyncJobProps
    wire_type = SyncJob

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return sync_jobs(client)


class PbsSyncJob(ObjectResource, module="pbs", name="SyncJob"):
    """A PBS sync job (pull or push, local or with a remote)."""

    provider_type = PbsSyncJobProvider
