"""Each finding code, triggered by the config it is about (and absent from a good site)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tappaas.policy import Code, Finding, Severity, evaluate
from tests.model.sites import cloud_site, load, small_site

Raw = dict[str, Any]


def findings(raw: Raw) -> list[Finding]:
    return list(evaluate(load(raw)))


def only(raw: Raw, code: Code) -> list[Finding]:
    return [f for f in findings(raw) if f.code is code]


def test_the_small_site_is_clean() -> None:
    assert findings(small_site()) == []


def no_remote(raw: Raw) -> None:
    del raw["remote"]


def low_web(raw: Raw) -> None:
    raw["services"]["web"]["importance"] = "low"


def web_unreplicated_ha(raw: Raw) -> None:
    raw["services"]["web"]["replication"] = {"enabled": False}


def two_nodes_with_ha(raw: Raw) -> None:
    raw.update(small_site(2))
    raw["services"]["web"]["ha"] = {"enabled": True}


def unencrypted_without_filter(raw: Raw) -> None:
    raw["backup"]["encryption"] = {"enabled": False}
    raw["remote"]["encrypted_only"] = False


def recovery_without_key(raw: Raw) -> None:
    raw.clear()
    raw.update(cloud_site())
    del raw["recovery"]["encryption_key"]


def resolver_in(service: str, **network: Any) -> Callable[[Raw], None]:
    """A ``network`` section whose one resolver runs in ``service``."""

    def mutate(raw: Raw) -> None:
        raw["network"] = {"resolvers": [{"address": "10.0.0.1", "service": service}], **network}

    return mutate


def resolver_without_ha(raw: Raw) -> None:
    resolver_in("web")(raw)
    raw["services"]["web"]["ha"] = {"enabled": False}


CASES: list[tuple[Code, Callable[[Raw], None], Severity, str, str]] = [
    (
        Code.RESTORE_KEY_MISSING,
        recovery_without_key,
        Severity.ERROR,
        "recovery.encryption_key",
        "nothing could be restored",
    ),
    (Code.NO_OFFSITE_COPY, no_remote, Severity.ERROR, "services.web", "no off-site copy"),
    (
        Code.NOT_BACKED_UP,
        lambda r: r["services"]["web"].update(backup={"enabled": False}),
        Severity.WARNING,
        "services.web.backup.enabled",
        "excluded from backup",
    ),
    (
        Code.NO_QUORUM,
        two_nodes_with_ha,
        Severity.ERROR,
        "nodes",
        "2 quorum vote(s)",
    ),
    (
        Code.POOL_NOT_REDUNDANT,
        lambda r: r["datapools"]["tanka1"].update(
            redundancy="none", devices={n: [f"/dev/{n}-a"] for n in r["nodes"]}
        ),
        Severity.WARNING,
        "datapools.tanka1.redundancy",
        "no redundancy",
    ),
    (
        Code.HA_WITHOUT_REPLICATION,
        web_unreplicated_ha,
        Severity.ERROR,
        "services.web.replication.enabled",
        "not replicated",
    ),
    (
        Code.REPLICATION_ABOVE_RPO,
        lambda r: r["services"]["web"].update(replication={"schedule": "hourly"}, rpo_target="30m"),
        Severity.WARNING,
        "services.web.replication.schedule",
        "replication runs up to 1h apart, more than web's RPO target of 30min",
    ),
    (
        Code.REPLICATION_ABOVE_RPO,
        lambda r: r["services"]["web"].update(replication={"schedule": "mon..fri */1"}),
        Severity.WARNING,
        "services.web.replication.schedule",
        "replication runs up to 2d 1min apart",  # the weekend, not the 1-minute weekday gap
    ),
    (
        Code.RPO_TARGET_MISSED,
        lambda r: r["services"]["web"].update(
            ha={"enabled": False}, replication={"enabled": False}
        ),
        Severity.WARNING,
        "services.web.rpo_target",
        "node failure loses up to 1d",
    ),
    (
        Code.NOTHING_TO_SYNC,
        lambda r: r["backup"].update(encryption={"enabled": False}),
        Severity.ERROR,
        "remote.encrypted_only",
        "receive nothing",
    ),
    (
        Code.OFFSITE_UNENCRYPTED,
        unencrypted_without_filter,
        Severity.WARNING,
        "backup.encryption.enabled",
        "unencrypted",
    ),
    (
        Code.PUSH_DIRECTION,
        lambda r: r["remote"].update(direction="push"),
        Severity.WARNING,
        "remote.direction",
        "pushes",
    ),
    (
        Code.REMOVE_VANISHED,
        lambda r: r["remote"].update(remove_vanished=True),
        Severity.WARNING,
        "remote.remove_vanished",
        "deleted from the off-site copy",
    ),
    (
        Code.RETENTION_BELOW_DESIGN,
        lambda r: r["backup"].update(retention={"keep_daily": 3, "keep_yearly": 2}),
        Severity.WARNING,
        "backup.retention",
        "3 daily (design 7), 2 yearly (design forever)",
    ),
    (
        Code.RETENTION_BELOW_DESIGN,
        lambda r: r["remote"].update(retention={"keep_monthly": None}),
        Severity.WARNING,
        "remote.retention",
        "0 monthly (design 12)",
    ),
    (
        Code.VERIFY_OFF,
        lambda r: r["backup"].update(verify={"schedule": None}),
        Severity.WARNING,
        "backup.verify.schedule",
        "never verified",
    ),
    (
        Code.GC_OFF,
        lambda r: r["backup"].update(gc_schedule=None),
        Severity.WARNING,
        "backup.gc_schedule",
        "never runs",
    ),
    (
        Code.RESOLVER_NOT_HA,
        resolver_without_ha,
        Severity.ERROR,
        "services.web.ha.enabled",
        "when tappaas1 fails, no name resolves",
    ),
    (
        Code.SINGLE_RESOLVER,
        resolver_in("web"),
        Severity.WARNING,
        "network.resolvers",
        "one resolver, 10.0.0.1 (web)",
    ),
    (
        Code.NAME_NEEDS_UPLINK,
        resolver_in("web", domain="example.org"),
        Severity.WARNING,
        "network.services.db.names",
        "db.example.org is outside internal and has no host override",
    ),
    (
        Code.SCHEDULE_EVERY_HOUR,
        lambda r: r["backup"].update(schedule="mon..fri 22"),
        Severity.WARNING,
        "backup.schedule",
        "'mon..fri 22' runs every hour, at minute 22",
    ),
    (
        Code.SCHEDULE_EVERY_HOUR,
        lambda r: r["services"]["web"].update(replication={"schedule": "25:00"}),
        Severity.WARNING,
        "services.web.replication.schedule",
        "'25:00' runs every hour, at minute 25",
    ),
]


@pytest.mark.parametrize(
    ("code", "mutate", "severity", "path", "fragment"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES]
)
def test_finding(
    code: Code, mutate: Callable[[Raw], Any], severity: Severity, path: str, fragment: str
) -> None:
    raw = small_site()
    mutate(raw)
    matching = [f for f in only(raw, code) if f.path == path]
    assert matching, [(f.code, f.path) for f in findings(raw)]
    assert matching[0].severity is severity
    assert fragment in matching[0].message
    assert matching[0].fix


def test_every_code_has_a_case_or_a_dedicated_test() -> None:
    covered = {case[0] for case in CASES} | {
        Code.TOO_FEW_COPIES,
        Code.ONE_FORMAT,
        Code.FAILOVER_LACKS_POOL,
        Code.RETENTION_BELOW_DESIGN,
        Code.SECRET_UNSET,  # tests/policy/test_restore_order.py
        Code.PUSH_CAN_DELETE,  # test_push_with_remove_vanished_is_an_error_until_accepted
        # from the live resolver's settings, not the config: tests/policy/test_resolver_findings.py
        Code.SERVE_EXPIRED_OFF,
        Code.PREFETCH_OFF,
    }
    assert covered == set(Code)


def test_321_shortfall_is_an_error_for_high_and_a_warning_for_low() -> None:
    raw = small_site()
    no_remote(raw)
    low_web(raw)
    severities = {f.path: f.severity for f in only(raw, Code.NO_OFFSITE_COPY)}
    assert severities == {"services.web": Severity.WARNING, "services.db": Severity.ERROR}


def test_too_few_copies_says_what_to_add() -> None:
    raw = small_site(1)
    no_remote(raw)
    [finding] = [f for f in only(raw, Code.TOO_FEW_COPIES) if f.path == "services.web"]
    assert finding.message == "web has 2 of 3 copies (live disk, local pbs)"
    assert finding.fix == (
        "add an off-site peer (remote); or export it to the personal disk (personal_export: pbs)"
    )


def test_a_service_outside_the_backup_is_block_only() -> None:
    raw = small_site(1)
    raw["services"]["web"]["backup"] = {"enabled": False}
    codes = {f.code for f in findings(raw) if f.path.startswith("services.web")}
    assert {Code.NOT_BACKED_UP, Code.TOO_FEW_COPIES, Code.ONE_FORMAT, Code.NO_OFFSITE_COPY} <= codes
    [formats] = [f for f in only(raw, Code.ONE_FORMAT) if f.path == "services.web"]
    assert "block/zfs" in formats.message


def test_native_export_adds_a_format() -> None:
    raw = small_site(1)
    no_remote(raw)
    raw["services"]["web"]["personal_export"] = "native"
    raw["personal"] = {"backing_device": "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f", "offsite": True}
    assert not [
        f for f in findings(raw) if f.path == "services.web" and f.code.value.startswith("321")
    ]


def test_ha_without_replication_on_a_node_without_the_pool() -> None:
    raw = small_site()
    web_unreplicated_ha(raw)
    raw["datapools"]["tanka1"]["devices"].pop("tappaas2")
    raw["services"]["db"]["node"] = "tappaas3"
    [finding] = only(raw, Code.FAILOVER_LACKS_POOL)
    assert (finding.path, finding.severity) == ("services.web.ha.failover_node", Severity.ERROR)


def test_a_qdevice_makes_two_nodes_enough_for_ha() -> None:
    raw = small_site(2)
    raw["services"]["web"]["ha"] = {"enabled": True}
    raw["cluster"]["qdevice"] = "10.0.0.99:5403"
    assert only(raw, Code.NO_QUORUM) == []


def test_peer_guests_that_mirror_deletions_are_flagged() -> None:
    raw = small_site()
    raw["role"] = "peer"
    raw["peer"] = {
        "guests": {"home": {"stack": "organization/tappaas/prod", "remove_vanished": True}}
    }
    assert [f.path for f in only(raw, Code.REMOVE_VANISHED)] == ["peer.guests.home.remove_vanished"]


@pytest.mark.parametrize("place", ["remote", "guest"])
def test_push_with_remove_vanished_is_an_error_until_accepted(place: str) -> None:
    """The writer token of a push with remove-vanished may delete the whole copy at will."""
    raw = small_site()
    if place == "remote":
        raw["remote"] = {
            "address": "10.9.0.1:8007",
            "fingerprint": raw["backup"]["pbs"]["fingerprint"],
            "datastore": "copies",
            "direction": "push",
            "remove_vanished": True,
            "credential": {"token_id": "test@pbs!push", "token_secret": {"secret": "pushToken"}},
        }
        spec, path = raw["remote"], "remote.remove_vanished"
    else:
        raw["role"] = "peer"
        spec = {"stack": "organization/tappaas/prod", "direction": "push", "remove_vanished": True}
        raw["peer"] = {"guests": {"home": spec}}
        path = "peer.guests.home.remove_vanished"
    (finding,) = only(raw, Code.PUSH_CAN_DELETE)
    assert (finding.severity, finding.path) == (Severity.ERROR, path)
    assert "delete every snapshot of the copy" in finding.message
    assert "accept_deletable_copy: true" in finding.fix
    assert only(raw, Code.REMOVE_VANISHED) == []
    spec["accept_deletable_copy"] = True
    (accepted,) = only(raw, Code.PUSH_CAN_DELETE)
    assert accepted.severity is Severity.WARNING and "accepted" in accepted.message


def test_cloud_recovery_stacks_are_not_held_to_321() -> None:
    raw = small_site()
    raw["role"] = "cloud-recovery"
    raw["recovery"] = {"methods": ["cloud"]}
    raw["remote"]["credential"] = {
        "token_id": "recovery@pbs!read",
        "token_secret": {"secret": "recoveryToken"},
    }
    del raw["backup"]
    assert not [f for f in findings(raw) if f.code.value.startswith("321")]


def test_errors_come_first_then_by_path() -> None:
    raw = small_site()
    no_remote(raw)
    raw["remote"] = {"peer_stack": "organization/tappaas/peer", "direction": "push"}
    raw["backup"]["gc_schedule"] = None
    raw["services"]["web"]["replication"] = {"enabled": False}
    result = findings(raw)
    severities = [f.severity for f in result]
    assert severities == sorted(severities, key=lambda s: s is not Severity.ERROR)
    errors = [f.path for f in result if f.severity is Severity.ERROR]
    assert errors == sorted(errors)


def test_a_second_resolver_on_another_node_keeps_dns_up_without_ha() -> None:
    raw = small_site()
    resolver_without_ha(raw)
    raw["network"]["resolvers"].append({"address": "10.0.0.2", "service": "db"})
    raw["services"]["db"]["ha"] = {"enabled": False}
    assert only(raw, Code.RESOLVER_NOT_HA) == []
    assert only(raw, Code.SINGLE_RESOLVER) == []


def test_two_resolvers_on_one_node_fall_together() -> None:
    raw = small_site()
    resolver_without_ha(raw)
    raw["services"]["db"].update(node="tappaas1", ha={"enabled": False})
    raw["network"]["resolvers"].append({"address": "10.0.0.2", "service": "db"})
    assert sorted(f.path for f in only(raw, Code.RESOLVER_NOT_HA)) == [
        "services.db.ha.enabled",
        "services.web.ha.enabled",
    ]


def test_a_low_importance_resolver_is_named_by_its_importance() -> None:
    raw = small_site()
    resolver_in("web")(raw)
    raw["services"]["web"]["importance"] = "low"
    [finding] = only(raw, Code.RESOLVER_NOT_HA)
    assert finding.path == "services.web.importance"
    assert "is of low importance" in finding.message


def test_resolver_ha_is_not_asked_of_small_sites_nor_outside_resolvers() -> None:
    raw = small_site(2)
    resolver_in("web")(raw)
    assert only(raw, Code.RESOLVER_NOT_HA) == []
    raw = small_site()
    resolver_in("web")(raw)
    raw["network"]["resolvers"] = [{"address": "10.0.0.53"}]
    raw["services"]["web"]["ha"] = {"enabled": False}
    assert only(raw, Code.RESOLVER_NOT_HA) == []


def test_host_overrides_and_offline_false_silence_outside_names() -> None:
    raw = small_site()
    resolver_in("web", domain="example.org", host_overrides=["*.example.org"])(raw)
    assert only(raw, Code.NAME_NEEDS_UPLINK) == []
    resolver_in(
        "web",
        domain="example.org",
        host_overrides=["web.example.org"],
        services={"db": {"offline": False}},
    )(raw)
    assert only(raw, Code.NAME_NEEDS_UPLINK) == []
    raw["network"]["services"] = {"db": {"names": ["db.mgmt.internal", "files.example.net"]}}
    [finding] = only(raw, Code.NAME_NEEDS_UPLINK)
    assert "files.example.net" in finding.message
    assert finding.fix.endswith("or reach db as db.mgmt.internal")


def test_a_low_importance_service_need_not_resolve_offline() -> None:
    raw = small_site()
    resolver_in("web", domain="example.org", host_overrides=["web.example.org"])(raw)
    raw["services"]["db"]["importance"] = "low"
    raw["services"]["db"]["pool"] = "tankb1"
    network = load(raw).network
    assert network is not None and network.services["db"].offline is False
    assert only(raw, Code.NAME_NEEDS_UPLINK) == []


@pytest.mark.parametrize(
    ("schedule", "fix"),
    [
        (
            "mon..fri 22",
            "for 22:00 write 'mon..fri 22:00'; to run every hour, write 'mon..fri *:22'",
        ),
        (
            "25:00",
            "for a time of day write HH:MM (e.g. '02:30'); to run every hour, write '*:25:00'",
        ),
        ("3 UTC", "for 03:00 write '03:00 UTC'; to run every hour, write '*:3 UTC'"),
    ],
)
def test_an_hourly_lookalike_says_how_to_write_either_reading(schedule: str, fix: str) -> None:
    raw = small_site()
    raw["backup"]["prune_schedule"] = schedule
    [finding] = only(raw, Code.SCHEDULE_EVERY_HOUR)
    assert finding.fix == fix


@pytest.mark.parametrize("schedule", ["*/15", "*:22", "hourly", "02:00", "mon..fri 8..17:0/15"])
def test_schedules_that_say_what_they_mean_get_no_warning(schedule: str) -> None:
    raw = small_site()
    raw["backup"]["prune_schedule"] = schedule
    assert only(raw, Code.SCHEDULE_EVERY_HOUR) == []


def test_the_offsite_fix_fits_the_config_at_hand() -> None:
    """With the personal disk already kept off-site, the fix is to export to it."""
    raw = small_site()
    no_remote(raw)
    raw["personal"] = {"backing_device": "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f", "offsite": True}
    [finding] = [f for f in only(raw, Code.NO_OFFSITE_COPY) if f.path == "services.web"]
    assert "personal.offsite: true)" not in finding.fix
    assert finding.fix == (
        "add an off-site peer (remote); or export it to the personal disk, which is kept "
        "off-site (personal_export: pbs)"
    )
    raw["personal"]["offsite"] = False
    [finding] = [f for f in only(raw, Code.NO_OFFSITE_COPY) if f.path == "services.web"]
    assert finding.fix.endswith(
        "export it to the personal disk (personal_export: pbs) and keep the disk off-site "
        "(personal.offsite: true)"
    )
