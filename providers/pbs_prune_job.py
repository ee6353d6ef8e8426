"""``PbsPruneJob``: a PBS prune job, the retention policy applied by PBS itself.

Everything but the id changes in place.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider
from tappaas.client import ProxmoxClient
from tappaas.pbs.prune import PruneJob, PruneJobIdentity, prune_jobs
from tappaas.pbs.section import SectionConfig


class PbsPruneJobProps(Props, PruneJob):
    identity = frozenset(PruneJobIdentity.model_fields)


class PbsPruneJobProvider(SectionProvider[PbsPruneJobProps]):
    props_type = PbsPruneJobProps
    wire_type = PruneJob

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return prune_jobs(client)


class PbsPruneJob(ObjectResource, module="pbs", name="PruneJob"):
    """A PBS prune job: the retention policy, applied by PBS itself."""

    provider_type = PbsPruneJobProvider
