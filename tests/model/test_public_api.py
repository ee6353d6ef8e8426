"""The public names of the pure packages are exactly their ``__all__`` (others rely on them)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC = {
    "tappaas.model": {
        "CONFIG_KEY",
        "FOREVER_YEARS",
        "PVE_KEEP_ALL",
        "AgentProbe",
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
        "DrillSettings",
        "EncryptionSettings",
        "ExecProbe",
        "ForwardProtocol",
        "Endpoint",
        "GuestSite",
        "HaSettings",
        "HaState",
        "HttpProbe",
        "Importance",
        "LocalPbs",
        "MonitoringSettings",
        "NetworkSettings",
        "Node",
        "OpnsenseApi",
        "PeerSettings",
        "PersonalExport",
        "PersonalSettings",
        "PoolRole",
        "PortForward",
        "Probe",
        "ProbeHelper",
        "RecoveryMethod",
        "RecoverySettings",
        "RestorePoint",
        "Redundancy",
        "Remote",
        "ReplicationSettings",
        "Resolver",
        "Retention",
        "Role",
        "SecretRef",
        "Service",
        "ServiceNames",
        "ShutdownPolicy",
        "SiteConfig",
        "SyncSettings",
        "TcpProbe",
        "VerifySettings",
        "WireGuardSettings",
        "load_site_config",
        "load_stack_file",
        "restore_token_id",
    },
    "tappaas.policy": {
        "RULES",
        "Code",
        "Copy",
        "CopyKind",
        "DataFormat",
        "Disaster",
        "Estimate",
        "Finding",
        "HostOverride",
        "ProtectionReport",
        "RtoClass",
        "ServiceProtection",
        "Severity",
        "UnboundSettings",
        "evaluate",
        "format_duration",
        "protection_report",
        "render_rules_table",
        "resolver_findings",
        "restore_order",
        "restore_tiers",
        "services_to_restore",
        "summarize",
        "unset_secrets",
    },
    "tappaas.schedule.calendar": {
        "UTC_SUFFIX",
        "CalendarEvent",
        "CalendarEventError",
        "parse_calendar_event",
    },
    "tappaas.adopt": {
        "PLACEHOLDER",
        "Assessment",
        "Conversion",
        "Decision",
        "Difference",
        "NotImported",
        "Problem",
        "SecretToSet",
        "StackFileError",
        "UpstreamError",
        "UpstreamIssue",
        "assess",
        "existing_document",
        "import_upstream",
        "read_answers",
        "render",
        "secrets_already_set",
    },
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_public_names_are_pinned(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == PUBLIC[module_name]
    for name in module.__all__:
        assert hasattr(module, name)


@pytest.mark.parametrize(
    "module_name",
    [
        "tappaas.model",
        "tappaas.policy",
        "tappaas.schedule",
        "tappaas.health",
        "tappaas.rental",
        "tappaas.adopt",
    ],
)
def test_pure_layers_import_no_pulumi_or_http(module_name: str) -> None:
    """model, policy, schedule, health, rental and adopt are pure: importing them pulls in no Pulumi
    or HTTP."""
    probe = (
        f"import sys, {module_name}; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'pulumi', 'pulumi_proxmoxve', 'proxmoxer', 'requests', 'urllib3'}]; "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
