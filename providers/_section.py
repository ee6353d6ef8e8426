"""Providers for objects in a section config (PBS datastores, remotes and jobs; PVE storage
entries, replication and backup jobs): written once.

An update sends the digest of the file it read, and the file is shared by every entry of its
kind (``storage.cfg``, ``replication.cfg``, a PBS ``sync.cfg``): when one ``up`` updates two
entries of one file at once, the second finds the digest stale ("detected modified
configuration", pve-common ``SectionConfig::assert_if_modified``, proxmox-section-config).
That update is then read again and retried, its delta computed from the new file, a bounded
number of times: only a change to the same entry by someone else could be lost, and that
entry is ours to set.
"""

from __future__ import annotations

import random
import time
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from providers._lifecycle import ObjectProvider, P, Props, vanished
from tappaas.client import ConflictError, ProxmoxClient
from tappaas.section import SectionConfig
from tappaas.wire import WireModel


class SectionProvider(ObjectProvider[P]):
    """get/create/update/delete through one ``SectionConfig`` and one wire model."""

    wire_type: ClassVar[type[WireModel]]
    id_field: ClassVar[str] = "id"

    @abstractmethod
    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        """The collection this resource's objects live in."""

    def object_id(self, props: P) -> str:
        return str(getattr(props, self.id_field))

    def observe(self, client: ProxmoxClient, object_id: str, props: P) -> P | None:
        current = self.section(client).get(object_id)
        return None if current is None else props.model_copy(update=dict(current.value))

    def create_object(self, client: ProxmoxClient, props: P) -> dict[str, Any]:
        self.section(client).create(props.wire(self.wire_type))
        return {}

    def update_object(self, client: ProxmoxClient, object_id: str, old: P, new: P) -> None:
        section = self.section(client)
        update_fresh(
            lambda: section.get(object_id),
            lambda current: section.update(current, new.wire(self.wire_type)),
            new,
            object_id,
        )

    def delete_object(self, client: ProxmoxClient, object_id: str, props: P) -> None:
        self.section(client).delete(object_id)


STALE_DIGEST_ATTEMPTS = 10
"""Each round of a race lets at least one writer through; the pauses between attempts
(random, growing) spread the rest out."""
STALE_DIGEST_PAUSE_SECONDS = 0.05


def retry_on_stale_digest(attempt: Callable[[], None]) -> None:
    """Run ``attempt`` (read, then write with the digest read) until no other write to the
    same file came in between, at most ``STALE_DIGEST_ATTEMPTS`` times."""
    for number in range(1, STALE_DIGEST_ATTEMPTS + 1):
        try:
            attempt()
            return
        except ConflictError as error:
            if not error.stale_digest or number == STALE_DIGEST_ATTEMPTS:
                raise
        time.sleep(random.uniform(0, STALE_DIGEST_PAUSE_SECONDS * number))


C = TypeVar("C")


def update_fresh(
    read: Callable[[], C | None], write: Callable[[C], object], props: Props, object_id: str
) -> None:
    """Read the object (with its digest) and ``write`` the update against what was read,
    again while the digest went stale; gone in between is ``vanished``."""

    def attempt() -> None:
        current = read()
        if current is None:
            raise vanished(props, object_id)
        write(current)

    retry_on_stale_digest(attempt)
