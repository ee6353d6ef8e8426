"""The site model: a TAPPaaS site's whole config, typed, validated and frozen (pure).

Public API::

    from tappaas.model import load_site_config, load_stack_file, SiteConfig, ConfigError

- ``load_site_config(raw: Mapping[str, Any]) -> SiteConfig`` validates the ``tappaas:site``
  stack-config object; ``load_stack_file(path) -> SiteConfig`` reads it from
  ``Pulumi.<stack>.yaml``. Both raise ``ConfigError`` whose ``issues`` (``ConfigIssue(path,
  message)``) list every problem, pydantic's and the cross-field checks' together.
- Models are frozen pydantic v2 models with unknown keys forbidden. Defaults are resolved:
  a service's ``node``, ``pool``, ``ha.enabled``, ``ha.failover_node`` and
  ``replication.enabled`` are filled in (see ``tappaas.model.site``).
- Secrets are ``SecretRef`` (``{secret: key}``): resolve with
  ``pulumi.Config().require_secret(ref.key)``. Credentials are ``ApiToken`` (token ID in the
  clear, secret by reference).
- ``network`` (optional, ``NetworkSettings``): the resolvers, the local domain and every
  service's names (TAPPaaS ``<vmname>.<zone0>.internal`` by default) with ``offline``;
  ``is_local(name)`` says whether the resolver answers a name from its own data.
- Retention is data: ``Retention.prune_options()`` gives the PBS prune-job keys (``forever``
  = ``keep-yearly=100``); PVE's vzdump job uses ``PVE_KEEP_ALL``.
"""

from tappaas.model.backup import (
    BackupMode,
    BackupSettings,
    EncryptionSettings,
    LocalPbs,
    VerifySettings,
)
from tappaas.model.cloud import (
    CloudCredentials,
    CloudPrice,
    CloudProvider,
    CloudSettings,
    ForwardProtocol,
    PortForward,
    WireGuardSettings,
)
from tappaas.model.cluster import ClusterApi, ClusterSettings, CrsMode, Node, ShutdownPolicy
from tappaas.model.datapool import Compression, Datapool, PoolRole, Redundancy
from tappaas.model.endpoint import Endpoint
from tappaas.model.errors import ConfigError, ConfigIssue
from tappaas.model.loading import CONFIG_KEY, load_site_config, load_stack_file
from tappaas.model.network import NetworkSettings, OpnsenseApi, Resolver, ServiceNames
from tappaas.model.personal import PersonalSettings
from tappaas.model.recovery import RecoveryMethod, RecoverySettings, RestorePoint
from tappaas.model.remote import (
    Direction,
    GuestSite,
    PeerSettings,
    Remote,
    SyncSettings,
    restore_token_id,
)
from tappaas.model.retention import FOREVER_YEARS, PVE_KEEP_ALL, Retention
from tappaas.model.secrets import ApiToken, SecretRef
from tappaas.model.service import (
    BackupSelection,
    HaSettings,
    HaState,
    Importance,
    PersonalExport,
    ReplicationSettings,
    Service,
)
from tappaas.model.site import Role, SiteConfig

__all__ = [
    "CONFIG_KEY",
    "FOREVER_YEARS",
    "PVE_KEEP_ALL",
    "ApiToken",
    "BackupMode",
    "BackupSelection",
    "BackupSettings",
    "CloudCredentials",
    "CloudPrice",
    "CloudProvider",
    "CloudSettings",
    "ClusterApi",
    "ClusterSettings",
    "Compression",
    "ConfigError",
    "ConfigIssue",
    "CrsMode",
    "Datapool",
    "Direction",
    "EncryptionSettings",
    "Endpoint",
    "ForwardProtocol",
    "GuestSite",
    "HaSettings",
    "HaState",
    "Importance",
    "LocalPbs",
    "NetworkSettings",
    "Node",
    "OpnsenseApi",
    "PeerSettings",
    "PersonalExport",
    "PersonalSettings",
    "PoolRole",
    "PortForward",
    "RecoveryMethod",
    "RecoverySettings",
    "Redundancy",
    "Remote",
    "ReplicationSettings",
    "Resolver",
    "RestorePoint",
    "Retention",
    "Role",
    "SecretRef",
    "Service",
    "ServiceNames",
    "ShutdownPolicy",
    "SiteConfig",
    "SyncSettings",
    "VerifySettings",
    "WireGuardSettings",
    "load_site_config",
    "load_stack_file",
    "restore_token_id",
]
