"""Invalid site configs: each is rejected, and an issue names the path to edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tappaas.model import ConfigError
from tests.model.sites import cloud_site, fingerprint, issues_of, load, small_site, token

Raw = dict[str, Any]


def set_in(*keys: str | int, value: Any) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        node: Any = raw
        for key in keys[:-1]:
            node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
        node[keys[-1]] = value

    return mutate


def delete(*keys: str) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        node: Any = raw
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return mutate


def both(*mutations: Callable[[Raw], None]) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        for mutation in mutations:
            mutation(raw)

    return mutate


def single_node(raw: Raw) -> None:
    raw.clear()
    raw.update(small_site(1))


def peer_role(raw: Raw) -> None:
    raw["role"] = "peer"
    raw["peer"] = {"guests": {"home": {"stack": "organization/tappaas/prod"}}}


def in_cloud(base: str = "gcp", **changes: Any) -> Callable[[Raw], None]:
    """The small site as a cloud-recovery stack (``cloud_site``), with ``cloud`` changes."""

    def mutate(raw: Raw) -> None:
        raw.clear()
        raw.update(cloud_site(base))
        for key, value in changes.items():
            if value is None:
                del raw["cloud"][key]
            else:
                raw["cloud"][key] = value

    return mutate


EXPLICIT_REMOTE = {
    "address": "peer.example.org:8007",
    "fingerprint": fingerprint(7),
    "datastore": "tappaas_backup",
}

# (id, mutation, path of the issue, fragment of its message)
CASES: list[tuple[str, Callable[[Raw], None], str, str]] = [
    # site and cluster
    ("unknown top key", set_in("colour", value="red"), "colour", "Extra inputs"),
    ("missing name", delete("name"), "name", "Field required"),
    ("bad role", set_in("role", value="primary"), "role", "Input should be"),
    ("no nodes", set_in("nodes", value={}), "nodes", "at least 1"),
    (
        "bad node name",
        set_in("nodes", "tappaas_1", value={"address": "10.0.0.9", "fingerprint": fingerprint(3)}),
        "nodes.tappaas_1",
        "not a node name",
    ),
    (
        "short fingerprint",
        set_in("nodes", "tappaas1", "fingerprint", value="AB:CD"),
        "nodes.tappaas1.fingerprint",
        "SHA-256",
    ),
    (
        "url as address",
        set_in("nodes", "tappaas1", "address", value="https://10.0.0.1"),
        "nodes.tappaas1.address",
        "not an address",
    ),
    (
        "port out of range",
        set_in("cluster", "api", "address", value="127.0.0.1:70000"),
        "cluster.api.address",
        "out of range",
    ),
    (
        "bad token id",
        set_in("cluster", "api", "api_token", "token_id", value="pulumi"),
        "cluster.api.api_token.token_id",
        "user@realm!token",
    ),
    (
        "inline secret",
        set_in("cluster", "api", "api_token", "token_secret", value="s3cr3t"),
        "cluster.api.api_token.token_secret",
        "pulumi config set --secret",
    ),
    (
        "pulumi secure value",
        set_in("cluster", "api", "api_token", "token_secret", value={"secure": "v1:abc"}),
        "cluster.api.api_token.token_secret",
        "pulumi config set --secret",
    ),
    (
        "bad secret key",
        set_in("cluster", "api", "api_token", "token_secret", value={"secret": "1key"}),
        "cluster.api.api_token.token_secret.secret",
        "config key",
    ),
    (
        "bad shutdown policy",
        set_in("cluster", "ha_shutdown_policy", value="reboot"),
        "cluster.ha_shutdown_policy",
        "Input should be",
    ),
    (
        "bad crs mode",
        set_in("cluster", "crs_mode", value="smart"),
        "cluster.crs_mode",
        "Input should be",
    ),
    (
        "bad qdevice",
        set_in("cluster", "qdevice", value="qdev ice"),
        "cluster.qdevice",
        "not an address",
    ),
    # datapools
    (
        "bad pool role",
        set_in("datapools", "tanka1", "role", value="fast"),
        "datapools.tanka1.role",
        "Input should be",
    ),
    (
        "raid5",
        set_in("datapools", "tanka1", "redundancy", value="raid5"),
        "datapools.tanka1.redundancy",
        "Input should be",
    ),
    (
        "pool on unknown node",
        set_in("datapools", "tankb1", "devices", "tappaas9", value=["/dev/x"]),
        "datapools.tankb1.devices.tappaas9",
        "not a declared node",
    ),
    (
        "mirror of one",
        set_in("datapools", "tanka1", "devices", "tappaas1", value=["/dev/only"]),
        "datapools.tanka1.devices.tappaas1",
        "at least 2",
    ),
    (
        "raidz2 of three",
        both(
            set_in("datapools", "tanka1", "redundancy", value="raidz2"),
            set_in(
                "datapools", "tanka1", "devices", "tappaas1", value=["/dev/a", "/dev/b", "/dev/c"]
            ),
        ),
        "datapools.tanka1.devices.tappaas1",
        "at least 4",
    ),
    (
        "single with two disks",
        set_in("datapools", "tankb1", "devices", "tappaas1", value=["/dev/a1", "/dev/a2"]),
        "datapools.tankb1.devices.tappaas1",
        "exactly one device",
    ),
    (
        "device not in /dev",
        set_in("datapools", "tankb1", "devices", "tappaas1", value=["sdb"]),
        "datapools.tankb1.devices.tappaas1[0]",
        "device path",
    ),
    (
        "no devices on a node",
        set_in("datapools", "tankb1", "devices", "tappaas1", value=[]),
        "datapools.tankb1.devices.tappaas1",
        "at least 1",
    ),
    (
        "ashift 20",
        set_in("datapools", "tanka1", "ashift", value=20),
        "datapools.tanka1.ashift",
        "less than or equal to 16",
    ),
    (
        "bad compression",
        set_in("datapools", "tanka1", "compression", value="brotli"),
        "datapools.tanka1.compression",
        "Input should be",
    ),
    (
        "disk in two pools",
        set_in("datapools", "tankb1", "devices", "tappaas1", value=["/dev/tappaas1-a"]),
        "datapools.tankb1.devices.tappaas1",
        "already used",
    ),
    (
        "duplicate storage id",
        set_in("datapools", "tankb1", "storage_id", value="tanka1"),
        "datapools.tankb1.storage_id",
        "also used",
    ),
    (
        "upper-case pool name",
        set_in("datapools", "TankA", value={"role": "bulk", "devices": {"tappaas1": ["/dev/z"]}}),
        "datapools.TankA",
        "PVE storage ID",
    ),
    # services
    (
        "service on unknown node",
        set_in("services", "web", "node", value="tappaas9"),
        "services.web.node",
        "not a declared node",
    ),
    (
        "service on unknown pool",
        set_in("services", "web", "pool", value="tankz1"),
        "services.web.pool",
        "not a declared datapool",
    ),
    (
        "pool missing on home node",
        both(
            set_in("datapools", "tankb1", "devices", value={"tappaas2": ["/dev/q"]}),
            set_in("services", "web", "importance", value="low"),
        ),
        "services.web.pool",
        "no devices on home node",
    ),
    (
        "failover node unknown",
        set_in("services", "web", "ha", value={"failover_node": "tappaas9"}),
        "services.web.ha.failover_node",
        "'tappaas9' is not a declared node",
    ),
    (
        "failover is home",
        set_in("services", "web", "ha", value={"failover_node": "tappaas1"}),
        "services.web.ha.failover_node",
        "is the home node",
    ),
    (
        "high on bulk pool",
        set_in("services", "web", "pool", value="tankb1"),
        "services.web.pool",
        "high-importance service on bulk pool",
    ),
    (
        "high on backup pool",
        both(
            set_in("services", "web", "pool", value="tankc1"),
            set_in("services", "web", "node", value="tappaas3"),
        ),
        "services.web.pool",
        "high-importance service on backup pool",
    ),
    (
        "replica target lacks pool",
        both(
            set_in(
                "datapools",
                "tanka1",
                "devices",
                value={"tappaas1": ["/dev/a", "/dev/b"], "tappaas2": ["/dev/c", "/dev/d"]},
            ),
            set_in("services", "db", "ha", value={"failover_node": "tappaas3"}),
        ),
        "services.db.replication.enabled",
        "has no ZFS pool with storage ID 'tanka1'",
    ),
    (
        "duplicate vmid",
        set_in("services", "db", "vmid", value=100),
        "services.db.vmid",
        "also used by service 'web'",
    ),
    (  # pve-ha-manager NodeAffinity.pm: a resource in two node-affinity rules is refused
        "two services name one ha rule",
        both(
            set_in("services", "web", "ha", value={"rule": "ha-shared"}),
            set_in("services", "db", "ha", value={"rule": "ha-shared"}),
        ),
        "services.db.ha.rule",
        "rule 'ha-shared' is also the rule of service 'web'",
    ),
    (  # pve-common JSONSchema.pm pve-configid
        "ha rule not a pve config id",
        set_in("services", "web", "ha", value={"rule": "1-rule"}),
        "services.web.ha.rule",
        "is not a PVE config ID",
    ),
    (
        "backup job id not a pve config id",
        set_in("backup", "job_id", value="backup job"),
        "backup.job_id",
        "is not a PVE config ID",
    ),
    (  # the wire model's limit (tappaas/pve/backup_job.py PveJobId): refused at check, not at up
        "backup job id longer than 50",
        set_in("backup", "job_id", value="b" * 51),
        "backup.job_id",
        "at most 50 characters",
    ),
    (  # generation 1 of a service restores as 100000 + its vmid
        "a restore lands on another service's vmid",
        both(  # web is vmid 100
            set_in("services", "db", "vmid", value=100_100),
            set_in("recovery", "restore", value={"web": {"generation": 1}}),
        ),
        "recovery.restore.web.generation",
        "which service 'db' already uses",
    ),
    (
        "two restores on one vmid",
        set_in("recovery", "restore", value={"web": {"vmid": 5000}, "db": {"vmid": 5000}}),
        "recovery.restore.web.vmid",
        "which the restore of 'db' already uses",
    ),
    (
        "a restore above the largest vmid",
        both(
            set_in("services", "web", "vmid", value=999_999_000),
            set_in("recovery", "restore", value={"web": {"generation": 1}}),
        ),
        "recovery.restore.web.generation",
        "above PVE's largest vmid 999999999",
    ),
    (
        "vmid below 100",
        set_in("services", "web", "vmid", value=99),
        "services.web.vmid",
        "greater than or equal to 100",
    ),
    (
        "vmid not a number",
        set_in("services", "web", "vmid", value="web"),
        "services.web.vmid",
        "valid integer",
    ),
    ("missing vmid", delete("services", "web", "vmid"), "services.web.vmid", "Field required"),
    (
        "bad replication schedule",
        set_in("services", "web", "replication", value={"schedule": "every 5 minutes"}),
        "services.web.replication.schedule",
        "invalid calendar event",
    ),
    (
        "replication never runs",
        set_in("services", "web", "replication", value={"schedule": "2025-02-29"}),
        "services.web.replication.schedule",
        "never runs",
    ),
    (
        "replication rate below 1",
        set_in("services", "web", "replication", value={"rate_limit_mbps": 0.5}),
        "services.web.replication.rate_limit_mbps",
        "greater than or equal to 1",
    ),
    (
        "rpo target words",
        set_in("services", "web", "rpo_target", value="soon"),
        "services.web.rpo_target",
        "not a duration",
    ),
    (
        "rpo target zero",
        set_in("services", "web", "rpo_target", value="0m"),
        "services.web.rpo_target",
        "positive",
    ),
    (
        "negative max_restart",
        set_in("services", "web", "ha", value={"max_restart": -1}),
        "services.web.ha.max_restart",
        "greater than or equal to 0",
    ),
    (  # issue 11.9: pve-ha-manager Tools.pm parse_node_priority reads ``node:\d+``
        "negative home priority",
        set_in("services", "web", "ha", value={"home_priority": -1}),
        "services.web.ha.home_priority",
        "greater than or equal to 0",
    ),
    (
        "negative failover priority",
        set_in("services", "web", "ha", value={"failover_priority": -2}),
        "services.web.ha.failover_priority",
        "greater than or equal to 0",
    ),
    (
        "bad ha state",
        set_in("services", "web", "ha", value={"state": "running"}),
        "services.web.ha.state",
        "Input should be",
    ),
    (
        "bad excluded disk",
        set_in("services", "web", "backup", value={"exclude_disks": ["disk1"]}),
        "services.web.backup.exclude_disks[0]",
        "disk key",
    ),
    (
        "personal export without disk",
        set_in("services", "web", "personal_export", value="pbs"),
        "services.web.personal_export",
        "no personal disk",
    ),
    (
        "bad personal export",
        set_in("services", "web", "personal_export", value="usb"),
        "services.web.personal_export",
        "Input should be",
    ),
    (
        "ha on one node",
        both(single_node, set_in("services", "web", "ha", value={"enabled": True})),
        "services.web.ha.enabled",
        "only one node",
    ),
    (
        "replication on one node",
        both(single_node, set_in("services", "web", "replication", value={"enabled": True})),
        "services.web.replication.enabled",
        "only one node",
    ),
    (
        "bad service name",
        set_in("services", "9web", value={"vmid": 300}),
        "services.9web",
        "not a VM name",
    ),
    (
        "typo in service key",
        set_in("services", "web", "importnce", value="low"),
        "services.web.importnce",
        "Extra inputs",
    ),
    # backup
    ("site without backup", delete("backup"), "backup", "needs a local PBS"),
    (
        "pbs on unknown node",
        set_in("backup", "pbs", "node", value="tappaas9"),
        "backup.pbs.node",
        "not a declared node",
    ),
    (
        "pbs on important pool",
        set_in("backup", "pbs", "pool", value="tanka1"),
        "backup.pbs.pool",
        "has role important",
    ),
    (
        "pbs pool missing on its node",
        set_in("backup", "pbs", "node", value="tappaas1"),
        "backup.pbs.pool",
        "no devices on PBS node",
    ),
    ("no backup pool", delete("datapools", "tankc1"), "backup.pbs.pool", "Field required"),
    (
        "pbs storage id taken",
        set_in("backup", "pbs", "storage_id", value="tanka1"),
        "backup.pbs.storage_id",
        "already a datapool's",
    ),
    (
        "datastore name too short",
        set_in("backup", "pbs", "datastore", value="ab"),
        "backup.pbs.datastore",
        "at least 3",
    ),
    (
        "relative datastore path",
        set_in("backup", "pbs", "path", value="tankc1/store"),
        "backup.pbs.path",
        "match pattern",
    ),
    (
        "bad pbs namespace",
        set_in("backup", "pbs", "namespace", value="a//b"),
        "backup.pbs.namespace",
        "namespace part",
    ),
    (
        "bad backup schedule",
        set_in("backup", "schedule", value="nightly"),
        "backup.schedule",
        "invalid calendar event",
    ),
    (
        "backup schedule hour 24",
        set_in("backup", "schedule", value="24:00:00"),
        "backup.schedule",
        "unexpected",
    ),
    ("bad backup mode", set_in("backup", "mode", value="live"), "backup.mode", "Input should be"),
    (
        "retention keeps nothing",
        set_in(
            "backup",
            "retention",
            value={
                "keep_daily": None,
                "keep_weekly": None,
                "keep_monthly": None,
                "keep_yearly": None,
            },
        ),
        "backup.retention",
        "keeps nothing",
    ),
    (
        "keep_daily zero",
        set_in("backup", "retention", value={"keep_daily": 0}),
        "backup.retention.keep_daily",
        "greater than or equal to 1",
    ),
    (
        "keep_yearly always",
        set_in("backup", "retention", value={"keep_yearly": "always"}),
        "backup.retention.keep_yearly",
        "'forever'",
    ),
    (
        "encryption without key",
        delete("backup", "encryption"),
        "backup.encryption.key",
        "no key is referenced",
    ),
    (
        "master key without encryption",
        set_in(
            "backup", "encryption", value={"enabled": False, "master_public_key": {"secret": "pub"}}
        ),
        "backup.encryption.master_public_key",
        "needs encryption",
    ),
    (
        "verify outdated zero",
        set_in("backup", "verify", value={"outdated_after_days": 0}),
        "backup.verify.outdated_after_days",
        "greater than or equal to 1",
    ),
    (
        "bad gc schedule",
        set_in("backup", "gc_schedule", value="sometimes"),
        "backup.gc_schedule",
        "invalid calendar event",
    ),
    (
        "notes template too long",
        set_in("backup", "notes_template", value="x" * 1025),
        "backup.notes_template",
        "at most 1024",
    ),
    # remote
    (
        "remote stack and address",
        set_in("remote", "address", value="peer.example.org"),
        "remote.peer_stack",
        "not both",
    ),
    (
        "remote unnamed",
        set_in("remote", value={"direction": "pull"}),
        "remote",
        "name the peer by peer_stack",
    ),
    (
        "remote half explicit",
        set_in("remote", value={"address": "peer.example.org"}),
        "remote",
        "fingerprint, datastore",
    ),
    (
        "push without credential",
        set_in("remote", value={**EXPLICIT_REMOTE, "direction": "push"}),
        "remote.credential",
        "push needs a token",
    ),
    (
        "pull with credential",
        set_in("remote", value={**EXPLICIT_REMOTE, "credential": token("x@pbs!y", "k")}),
        "remote.credential",
        "pull does not use",
    ),
    (
        "remote namespace too deep",
        set_in("remote", "namespace", value="a/b/c/d/e/f/g/h"),
        "remote.namespace",
        "8 levels deep",
    ),
    (
        "remote namespace with blank",
        set_in("remote", "namespace", value="remote/my site"),
        "remote.namespace",
        "namespace part",
    ),
    (
        "bad rate limit",
        set_in("remote", "rate_limit", value="fast"),
        "remote.rate_limit",
        "byte rate",
    ),
    (
        "bad direction",
        set_in("remote", "direction", value="sideways"),
        "remote.direction",
        "Input should be",
    ),
    (
        "max depth 9",
        set_in("remote", "max_depth", value=9),
        "remote.max_depth",
        "less than or equal to 7",
    ),
    (
        "short stack name",
        set_in("remote", "peer_stack", value="peer"),
        "remote.peer_stack",
        "organization/project/stack",
    ),
    (
        "bad sync schedule",
        set_in("remote", "schedule", value="mon..fry 04:00"),
        "remote.schedule",
        "unknown weekday 'fry'",
    ),
    # peer role
    (
        "guests on a site",
        set_in("peer", value={"guests": {"home": {"stack": "organization/tappaas/prod"}}}),
        "peer",
        "only role peer",
    ),
    ("peer without guests", set_in("role", value="peer"), "peer", "needs peer.guests"),
    (
        "empty guest list",
        both(peer_role, set_in("peer", "guests", value={})),
        "peer.guests",
        "at least 1",
    ),
    (
        "guest namespace too deep",
        both(peer_role, set_in("peer", "guests", "home", "namespace", value="1/2/3/4/5/6/7/8")),
        "peer.guests.home.namespace",
        "8 levels deep",
    ),
    (
        "guests share a namespace",
        both(
            peer_role,
            set_in(
                "peer",
                "guests",
                "cabin",
                value={"stack": "organization/tappaas/cabin", "namespace": "remote/home"},
            ),
        ),
        "peer.guests.cabin.namespace",
        "also used by guest 'home'",
    ),
    (
        "explicit pull guest without token",
        both(peer_role, set_in("peer", "guests", "cabin", value=dict(EXPLICIT_REMOTE))),
        "peer.guests.cabin.credential",
        "read-only token",
    ),
    (
        "push guest with token",
        both(
            peer_role,
            set_in(
                "peer",
                "guests",
                "home",
                value={
                    "stack": "organization/tappaas/prod",
                    "direction": "push",
                    "credential": token("a@pbs!b", "c"),
                },
            ),
        ),
        "peer.guests.home.credential",
        "writer_token_id",
    ),
    (
        "guest typo",
        both(peer_role, set_in("peer", "guests", "home", "stak", value="x")),
        "peer.guests.home.stak",
        "Extra inputs",
    ),
    # personal and recovery
    (
        "bad backing device",
        set_in("personal", value={"backing_device": "USB-DISK-1"}),
        "personal.backing_device",
        "filesystem UUID",
    ),
    (
        "personal datastore reused",
        set_in(
            "personal",
            value={
                "backing_device": "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f",
                "datastore": "tappaas_backup",
            },
        ),
        "personal.datastore",
        "its own name",
    ),
    (
        "restore unknown service",
        set_in("recovery", value={"restore_order": ["mail"]}),
        "recovery.restore_order[0]",
        "'mail' is not a declared service",
    ),
    (
        "restore twice",
        set_in("recovery", value={"restore_order": ["web", "web"]}),
        "recovery.restore_order[1]",
        "listed twice",
    ),
    (
        "peer restore without vlan",
        set_in("recovery", value={"methods": ["peer-restore"]}),
        "recovery.vlan",
        "isolated VLAN",
    ),
    (
        "vlan 5000",
        set_in("recovery", value={"vlan": 5000}),
        "recovery.vlan",
        "less than or equal to 4094",
    ),
    (
        "unknown recovery method",
        set_in("recovery", value={"methods": ["pray"]}),
        "recovery.methods[0]",
        "Input should be",
    ),
    (
        "cloud recovery without remote",
        both(
            set_in("role", value="cloud-recovery"),
            delete("remote"),
            set_in("recovery", value={"methods": ["cloud"]}),
        ),
        "remote",
        "needs the remote",
    ),
    (
        "cloud recovery without cloud method",
        set_in("role", value="cloud-recovery"),
        "recovery.methods",
        "needs the 'cloud' method",
    ),
    (
        "cloud recovery without a token to read the copy",
        both(
            set_in("role", value="cloud-recovery"),
            set_in("recovery", value={"methods": ["cloud"]}),
        ),
        "remote.credential",
        "recovery reads the copy on the peer",
    ),
    # cloud recovery: the rented host
    ("hetzner cloud", in_cloud(provider="hetzner-cloud"), "cloud.provider", "no /dev/kvm"),
    ("unknown provider", in_cloud(provider="azure"), "cloud.provider", "not a supported"),
    ("gcp e2", in_cloud(size="e2-standard-8"), "cloud.size", "cannot run nested KVM on GCP"),
    ("gcp amd", in_cloud(size="n2d-standard-8"), "cloud.size", "Intel series"),
    ("aws t3", in_cloud("aws", size="t3.large"), "cloud.size", "m8i.2xlarge"),
    ("gcp without project", in_cloud(project=None), "cloud.project", "needs project"),
    ("aws without zone", in_cloud("aws", zone=None), "cloud.zone", "needs zone"),
    ("existing without address", in_cloud("existing", address=None), "cloud.address", "needs"),
    ("existing with size", in_cloud("existing", size="m8i.large"), "cloud.size", "does not use"),
    (
        "zone outside region",
        in_cloud(zone="us-east1-b"),
        "cloud.zone",
        "not in region 'europe-west4'",
    ),
    ("no admin network", in_cloud(admin_cidrs=None), "cloud.admin_cidrs", "allowed to reach"),
    ("open to all", in_cloud(admin_cidrs=["0.0.0.0/0"]), "cloud.admin_cidrs[0]", "whole internet"),
    (
        "cidr with host bits",
        in_cloud(admin_cidrs=["198.51.100.7/24"]),
        "cloud.admin_cidrs[0]",
        "not an IPv4 network",
    ),
    (
        "forward outside guests",
        in_cloud(forwards=[{"port": 443, "to": "192.168.1.5"}]),
        "cloud.forwards[0].to",
        "outside the guest network",
    ),
    (
        "forward of the api port",
        in_cloud(forwards=[{"port": 8006, "to": "10.10.10.5"}]),
        "cloud.forwards[0].port",
        "the host's",
    ),
    ("restore unknown", in_cloud(services=["mail"]), "cloud.services[0]", "not a declared"),
    ("cloud on a site", set_in("cloud", value=cloud_site()["cloud"]), "cloud", "only role"),
    (
        "bad wireguard key",
        in_cloud(wireguard={**cloud_site()["cloud"]["wireguard"], "peer_public_key": "abc"}),
        "cloud.wireguard.peer_public_key",
        "WireGuard public key",
    ),
    ("staging on an existing", in_cloud("existing", staging=True), "cloud.staging", "existing"),
    ("no uplink", in_cloud(peer_uplink_mbps=None), "cloud.peer_uplink_mbps", "Field required"),
    # network (name resolution)
    (
        "network without resolvers",
        set_in("network", value={"resolvers": []}),
        "network.resolvers",
        "at least 1",
    ),
    (
        "resolver address with a scheme",
        set_in("network", value={"resolvers": [{"address": "dns://10.0.0.1"}]}),
        "network.resolvers[0].address",
        "not an address",
    ),
    (
        "resolver in an undeclared service",
        set_in("network", value={"resolvers": [{"address": "10.0.0.1", "service": "firewall"}]}),
        "network.resolvers[0].service",
        "'firewall' is not a declared service",
    ),
    (
        "resolver listed twice",
        set_in(
            "network",
            value={"resolvers": [{"address": "10.0.0.1"}, {"address": "10.0.0.1:53"}]},
        ),
        "network.resolvers[1].address",
        "listed twice",
    ),
    (
        "bad local domain",
        set_in("network", value={"resolvers": [{"address": "10.0.0.1"}], "local_domain": "a_b"}),
        "network.local_domain",
        "not a DNS name",
    ),
    (
        "bad DNS name of a service",
        set_in(
            "network",
            value={
                "resolvers": [{"address": "10.0.0.1"}],
                "services": {"web": {"names": ["web..internal"]}},
            },
        ),
        "network.services.web.names[0]",
        "not a DNS name",
    ),
    (
        "names of an undeclared service",
        set_in(
            "network",
            value={"resolvers": [{"address": "10.0.0.1"}], "services": {"mail": {}}},
        ),
        "network.services.mail",
        "'mail' is not a declared service",
    ),
    (
        "one name for two services",
        set_in(
            "network",
            value={
                "resolvers": [{"address": "10.0.0.1"}],
                "services": {"web": {"names": ["app.internal"]}, "db": {"names": ["app.internal"]}},
            },
        ),
        "network.services.db.names",
        "also a name of service 'web'",
    ),
    (
        "zone not in TAPPaaS form",
        set_in(
            "network",
            value={
                "resolvers": [{"address": "10.0.0.1"}],
                "services": {"web": {"zone": "srv_home"}},
            },
        ),
        "network.services.web.zone",
        "zone name",
    ),
    (
        "bad host override",
        set_in(
            "network", value={"resolvers": [{"address": "10.0.0.1"}], "host_overrides": ["*x.org"]}
        ),
        "network.host_overrides[0]",
        "not a DNS name",
    ),
    (
        "opnsense key pasted inline",
        set_in(
            "network",
            value={
                "resolvers": [{"address": "10.0.0.1"}],
                "opnsense": {
                    "address": "10.0.0.1",
                    "api_key": "w86XNZob",
                    "api_secret": {"secret": "opnsenseApiSecret"},
                },
            },
        ),
        "network.opnsense.api_key",
        "pulumi config set --secret",
    ),
    (
        "opnsense bad fingerprint",
        set_in(
            "network",
            value={
                "resolvers": [{"address": "10.0.0.1"}],
                "opnsense": {
                    "address": "10.0.0.1",
                    "fingerprint": "AB:CD",
                    "api_key": {"secret": "opnsenseApiKey"},
                    "api_secret": {"secret": "opnsenseApiSecret"},
                },
            },
        ),
        "network.opnsense.fingerprint",
        "SHA-256",
    ),
]


def test_there_are_at_least_fifty_distinct_cases() -> None:
    assert len({case_id for case_id, *_ in CASES}) == len(CASES) >= 50


@pytest.mark.parametrize(
    ("case_id", "mutate", "path", "fragment"), CASES, ids=[c[0] for c in CASES]
)
def test_invalid_config_names_the_path(
    case_id: str, mutate: Callable[[Raw], None], path: str, fragment: str
) -> None:
    raw = small_site()
    mutate(raw)
    issues = issues_of(raw)
    matching = [message for issue_path, message in issues if issue_path == path]
    assert matching, f"no issue at {path}; got {issues}"
    assert any(fragment in message for message in matching), f"{path}: {matching}"


def test_every_problem_is_reported_at_once() -> None:
    """Structural errors in one service and cross-field errors elsewhere, in one ConfigError."""
    raw = small_site()
    raw["services"]["web"]["vmid"] = "web"  # structural, in a set-aside service
    raw["services"]["db"]["ha"] = {"failover_node": "tappaas9"}  # cross-field
    raw["services"]["mail"] = {"vmid": 101}  # cross-field: duplicate of db
    raw["recovery"] = {"restore_order": ["web", "nope"]}  # web is declared, nope is not
    paths = {path for path, _ in issues_of(raw)}
    assert paths == {
        "services.web.vmid",
        "services.db.ha.failover_node",
        "services.mail.vmid",
        "recovery.restore_order[1]",
    }


def test_structural_errors_outside_services_skip_cross_checks() -> None:
    """A broken node would make every reference to it look wrong: only pydantic speaks."""
    raw = small_site()
    raw["nodes"]["tappaas1"]["fingerprint"] = "nope"
    assert [path for path, _ in issues_of(raw)] == ["nodes.tappaas1.fingerprint"]


def test_config_error_prints_one_issue_per_line() -> None:
    raw = small_site()
    raw["services"]["web"]["vmid"] = 99
    raw["services"]["db"]["vmid"] = 98
    with pytest.raises(ConfigError) as caught:
        load(raw)
    lines = str(caught.value).splitlines()
    assert lines == [
        "services.db.vmid: Input should be greater than or equal to 100",
        "services.web.vmid: Input should be greater than or equal to 100",
    ]
    assert isinstance(caught.value, ValueError)


def test_non_mapping_config_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        load(["not", "a", "mapping"])
