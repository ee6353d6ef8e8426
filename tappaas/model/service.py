"""Services: the VMs TAPPaaS modules create, and how each one is protected.

A service is referenced by ``vmid``; this program never creates the VM, it configures HA,
replication and backup around it.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from tappaas.model._types import DiskKey, Duration, NodeName, PveConfigId, Schedule, StrictModel

MIN_VMID, MAX_VMID = 100, 999_999_999
DEFAULT_REPLICATION_SCHEDULE = "*/15"
"""TAPPaaS ``replicationSchedule`` default (and PVE's)."""
DEFAULT_HOME_PRIORITY = 2
DEFAULT_FAILOVER_PRIORITY = 1
DEFAULT_MAX_RESTART = 1
DEFAULT_MAX_RELOCATE = 1
HA_RULE_PREFIX = "tappaas-"


class Importance(StrEnum):
    """High-importance services live on an important (redundant) pool and get HA by default."""

    HIGH = "high"
    LOW = "low"


DEFAULT_RPO_TARGET = {Importance.HIGH: timedelta(hours=1), Importance.LOW: timedelta(days=1)}
"""Data loss accepted when a disk or node fails: an hour for important services (met by the
15-minute replication), a day for the rest (met by the daily backup)."""


class HaState(StrEnum):
    """Requested HA state (``started`` is PVE's default)."""

    STARTED = "started"
    STOPPED = "stopped"
    DISABLED = "disabled"
    IGNORED = "ignored"


class PersonalExport(StrEnum):
    """Copy to the personal removable disk: none, PBS snapshots (synced on mount), or the
    application's own export format (made inside the VM; declared here so it is counted)."""

    NONE = "none"
    PBS = "pbs"
    NATIVE = "native"


class HaSettings(StrictModel):
    """PVE HA for the VM: a resource plus a non-strict node-affinity rule home > failover.

    ``failover_node`` is TAPPaaS's ``HANode``; unset, it is the first declared node other than
    the home node. It is also the replication target.
    """

    enabled: bool
    failover_node: NodeName | None = None
    home_priority: Annotated[int, Field(ge=0)] = DEFAULT_HOME_PRIORITY
    failover_priority: Annotated[int, Field(ge=0)] = DEFAULT_FAILOVER_PRIORITY
    """Node-affinity priorities (higher wins); PVE parses ``node:prio`` with ``\\d+``
    (pve-ha-manager ``src/PVE/HA/Tools.pm`` ``pve_verify_ha_node``), so never negative."""
    strict: bool = False
    """Strict affinity never runs the VM elsewhere; non-strict may use any node as last resort."""
    max_restart: Annotated[int, Field(ge=0)] = DEFAULT_MAX_RESTART
    max_relocate: Annotated[int, Field(ge=0)] = DEFAULT_MAX_RELOCATE
    failback: bool = True
    state: HaState = HaState.STARTED
    rule: PveConfigId | None = None
    """The node-affinity rule's id (default ``tappaas-<service>``); set it to an existing
    rule's id (upstream TAPPaaS names them ``ha-<module>``) to take that rule over."""

    def rule_id(self, service: str) -> str:
        """The node-affinity rule's id for the service named ``service``."""
        return self.rule or f"{HA_RULE_PREFIX}{service}"


class ReplicationSettings(StrictModel):
    """PVE storage replication (``pvesr``) of the VM's ZFS disks to the failover node."""

    enabled: bool
    schedule: Schedule = DEFAULT_REPLICATION_SCHEDULE
    rate_limit_mbps: Annotated[float, Field(ge=1)] | None = None
    """MB/s, PVE's ``rate`` (at least 1)."""


class BackupSelection(StrictModel):
    """Whether the daily backup job includes this VM, and which of its disks it skips."""

    enabled: bool = True
    exclude_disks: tuple[DiskKey, ...] = ()
    """Disks marked ``backup=0`` (e.g. a scratch or cache disk)."""


class Service(StrictModel):
    """One VM and its protection. Unset fields follow TAPPaaS defaults (see ``site``)."""

    vmid: Annotated[int, Field(ge=MIN_VMID, le=MAX_VMID)]
    node: NodeName
    pool: str
    importance: Importance = Importance.HIGH
    description: str = ""
    rpo_target: Duration
    """Data loss accepted on a disk or node failure; default by importance."""
    ha: HaSettings
    replication: ReplicationSettings
    backup: BackupSelection = BackupSelection()
    personal_export: PersonalExport = PersonalExport.NONE

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_importance(cls, data: Any) -> Any:
        """RPO target by importance; replication on exactly when HA is (HA on ZFS needs it)."""
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        importance = filled.get("importance", Importance.HIGH)
        if (
            "rpo_target" not in filled
            and isinstance(importance, str)
            and importance in set(Importance)
        ):
            filled["rpo_target"] = DEFAULT_RPO_TARGET[Importance(importance)]
        ha, replication = filled.get("ha"), filled.get("replication", {})
        if isinstance(replication, dict) and "enabled" not in replication:
            ha_enabled = ha.get("enabled") if isinstance(ha, dict) else None
            if isinstance(ha_enabled, bool):
                filled["replication"] = {**replication, "enabled": ha_enabled}
        return filled
