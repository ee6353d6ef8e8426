"""What the policy reports: findings with a stable code, a severity, a message and a path."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """``error`` blocks deployment (``tappaas check`` exits 1, ``pulumi preview`` fails);
    ``warning`` informs."""

    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Stable finding codes: scripts and accepted-risk lists may rely on them."""

    TOO_FEW_COPIES = "321-copies"
    ONE_FORMAT = "321-formats"
    NO_OFFSITE_COPY = "321-offsite"
    NOT_BACKED_UP = "backup-excluded"
    NO_QUORUM = "ha-quorum"
    POOL_NOT_REDUNDANT = "pool-not-redundant"
    FAILOVER_LACKS_POOL = "ha-failover-pool"
    HA_WITHOUT_REPLICATION = "ha-no-replication"
    REPLICATION_ABOVE_RPO = "replication-above-rpo"
    RPO_TARGET_MISSED = "rpo-target-missed"
    NOTHING_TO_SYNC = "sync-encrypted-only"
    OFFSITE_UNENCRYPTED = "offsite-unencrypted"
    PUSH_DIRECTION = "push-direction"
    REMOVE_VANISHED = "remove-vanished"
    PUSH_CAN_DELETE = "push-can-delete"
    RETENTION_BELOW_DESIGN = "retention-below-design"
    VERIFY_OFF = "verify-off"
    GC_OFF = "gc-off"
    RESTORE_KEY_MISSING = "restore-key-missing"
    SECRET_UNSET = "secret-unset"
    RESOLVER_NOT_HA = "dns-resolver-ha"
    SINGLE_RESOLVER = "dns-single-resolver"
    NAME_NEEDS_UPLINK = "dns-name-not-local"
    SERVE_EXPIRED_OFF = "dns-serve-expired"
    PREFETCH_OFF = "dns-prefetch"
    SCHEDULE_EVERY_HOUR = "schedule-hourly"


class Finding(BaseModel):
    """One policy result; ``fix`` says what would resolve it."""

    model_config = ConfigDict(frozen=True)

    code: Code
    severity: Severity
    path: str
    message: str
    fix: str = ""

    @property
    def blocks_deployment(self) -> bool:
        """Whether this finding fails ``tappaas check`` and ``pulumi preview``."""
        return self.severity is Severity.ERROR
