"""What a recovery restores and in which tiers; the secrets a recovery stack must hold."""

from __future__ import annotations

from tappaas.model import SecretRef
from tappaas.policy import (
    Code,
    Severity,
    evaluate,
    restore_tiers,
    services_to_restore,
    unset_secrets,
)
from tests.model.sites import cloud_site, example, load


def test_a_cloud_recovery_restores_the_important_services_in_tiers() -> None:
    raw = cloud_site()
    raw["services"]["logs"] = {"vmid": 150, "node": "tappaas1", "importance": "low"}
    raw["services"]["mail"] = {"vmid": 120, "node": "tappaas1"}
    site = load(raw)
    assert sorted(services_to_restore(site)) == ["db", "mail", "web"]  # logs: low importance
    assert restore_tiers(site) == (("db",), ("web", "mail"))  # restore_order, then by vmid


def test_the_prod_order_gives_one_tier_per_listed_service() -> None:
    raw = example("prod")
    raw["role"] = "cloud-recovery"
    raw["recovery"]["methods"] = ["cloud"]
    raw["remote"] = cloud_site()["remote"]
    raw["cloud"] = cloud_site()["cloud"]
    tiers = restore_tiers(load(raw))
    assert tiers == (
        ("firewall",), ("tappaas-cicd",), ("identity",), ("vaultwarden",), ("nextcloud",),
        ("hass",),
    )  # fmt: skip


def test_cloud_services_choose_what_is_restored() -> None:
    raw = cloud_site()
    raw["cloud"]["services"] = ["web"]
    assert restore_tiers(load(raw)) == (("web",),)


def test_a_recovery_onto_an_existing_cluster_restores_everything() -> None:
    raw = cloud_site()
    del raw["cloud"]
    raw["recovery"]["restore_order"] = []
    assert restore_tiers(load(raw)) == (("web", "db"),)


def test_a_recovery_stack_with_its_key_has_no_key_finding() -> None:
    assert [f for f in evaluate(load(cloud_site())) if f.code is Code.RESTORE_KEY_MISSING] == []


def test_an_unencrypted_copy_needs_no_key() -> None:
    raw = cloud_site()
    del raw["recovery"]["encryption_key"]
    raw["remote"]["encrypted_only"] = False
    assert [f for f in evaluate(load(raw)) if f.code is Code.RESTORE_KEY_MISSING] == []


def test_every_unset_secret_is_named_with_the_command_that_sets_it() -> None:
    site = load(cloud_site())
    have = {"peerReaderToken", "cloudPveToken", "cloudTlsKey", "cloudTlsCertificate"}

    def is_set(ref: SecretRef) -> bool:
        return ref.key in have

    findings = {f.path: f for f in unset_secrets(site, is_set)}
    assert set(findings) == {
        "recovery.encryption_key",
        "cloud.credentials.root_password",
        "cloud.wireguard.private_key",
    }
    key = findings["recovery.encryption_key"]
    assert key.code is Code.SECRET_UNSET and key.severity is Severity.ERROR
    assert "'pbsEncryptionKey' is not set" in key.message
    assert key.fix == "run `pulumi config set --secret pbsEncryptionKey <value>`"
    assert "tappaas cloud credentials <stack>" in findings["cloud.wireguard.private_key"].fix
    assert unset_secrets(site, lambda ref: True) == ()


def test_an_existing_host_needs_only_its_api_token() -> None:
    site = load(cloud_site("existing"))
    missing = {f.path for f in unset_secrets(site, lambda ref: False)}
    assert missing == {
        "recovery.encryption_key",
        "remote.credential.token_secret",
        "cloud.credentials.api_token",
    }


def test_a_site_stack_needs_no_recovery_secrets() -> None:
    assert unset_secrets(load(example("prod")), lambda ref: False) == ()
