"""What a backend is asked to rent; the RTO and cost estimates; the generated credentials."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tappaas.model import CloudPrice
from tappaas.rental import (
    certificate_fingerprint,
    estimate_recovery,
    host_plan,
    hourly_cost,
    transfer_time,
    wireguard_public_key,
)
from tappaas.rental.estimate import HOST_SETUP, LIVE_START
from tests.rental.hosts import CREDENTIALS, site

GB = 10**9


def test_the_plan_admits_admin_networks_to_ssh_the_api_and_forwards_only() -> None:
    plan = host_plan(site(forwards=[{"port": 443, "to": "10.10.10.2"}]))
    assert plan.admin_cidrs == ("198.51.100.7/32",)
    assert plan.tcp_ports == (22, 8006, 443)
    assert plan.udp_ports == ()  # WireGuard dials out: nothing listens
    assert (plan.subnet, plan.host_address) == ("10.77.0.0/24", "10.77.0.10")
    assert plan.protect_data is True
    assert plan.labels == {"tappaas-site": "test", "tappaas-role": "cloud-recovery"}


@pytest.mark.parametrize(
    ("provider", "size", "nested"),
    [("gcp", "n2-standard-8", True), ("aws", "m8i.2xlarge", True), ("aws", "c5.metal", False)],
)
def test_nested_virtualization_is_asked_for_unless_bare_metal(
    provider: str, size: str, nested: bool
) -> None:
    assert host_plan(site(provider, size=size)).nested_virtualization is nested


def test_the_data_disk_is_released_only_after_failback() -> None:
    assert host_plan(site(failback_confirmed=True)).protect_data is False


def test_50_mbits_move_100_gb_in_about_four_and_a_half_hours() -> None:
    hours = transfer_time(100 * GB, 50).total_seconds() / 3600
    assert 4.4 < hours < 4.8  # the figure: about 4.6 h per 100 GB


def test_tiers_stream_one_after_the_other_and_live_services_start_early() -> None:
    tiers = (("firewall",), ("identity", "nextcloud"))
    sizes = {"firewall": 5 * GB, "identity": 10 * GB, "nextcloud": 85 * GB}
    estimate = estimate_recovery(tiers, sizes, 50, staging=False, live_restore=True)
    ready = {s.name: s.ready_after for s in estimate.services}
    firewall_done = HOST_SETUP + transfer_time(5 * GB, 50)
    assert ready["firewall"] == HOST_SETUP + LIVE_START
    assert ready["identity"] == ready["nextcloud"] == firewall_done + LIVE_START
    assert estimate.complete_after == HOST_SETUP + transfer_time(100 * GB, 50)
    output = estimate.as_output()
    assert output["data_gib"] == 93.1
    assert output["services"]["nextcloud"]["tier"] == 2
    assert "50 Mbit/s" in str(output["basis"]) and "live-restore" in str(output["basis"])


def test_without_live_restore_a_service_waits_for_its_whole_tier() -> None:
    sizes = {"a": 10 * GB, "b": 10 * GB}
    estimate = estimate_recovery((("a", "b"),), sizes, 100, staging=False, live_restore=False)
    assert {s.ready_after for s in estimate.services} == {HOST_SETUP + transfer_time(20 * GB, 100)}


def test_staging_pays_the_transfer_once_during_setup_then_restores_at_disk_speed() -> None:
    sizes = {"a": 50 * GB, "b": 50 * GB}
    staged = estimate_recovery((("a",), ("b",)), sizes, 50, staging=True, live_restore=False)
    pulled = HOST_SETUP + transfer_time(100 * GB, 50)
    assert staged.services[0].ready_after == pulled + timedelta(seconds=250)  # 50 GB at 200 MB/s
    assert staged.complete_after == pulled + timedelta(seconds=500)


def test_the_hourly_cost_adds_disk_and_address() -> None:
    price = CloudPrice(instance_per_hour=0.40, disk_per_gb_month=0.10, ip_per_hour=0.005)
    cost = hourly_cost(price, 730)
    assert cost == {
        "per_hour": 0.505, "per_day": 12.12, "instance": 0.40, "disk": 0.1, "address": 0.005,
        "currency": "USD",
    }  # fmt: skip
    assert hourly_cost(None, 500)["estimate"] is None


def test_the_fingerprint_is_the_certificates_sha256() -> None:
    pem = CREDENTIALS.tls_certificate.get_secret_value()
    certificate = x509.load_pem_x509_certificate(pem.encode())
    assert certificate_fingerprint(pem) == CREDENTIALS.fingerprint
    digest = certificate.fingerprint(hashes.SHA256()).hex()
    assert CREDENTIALS.fingerprint.replace(":", "").lower() == digest
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert names.value.get_values_for_type(x509.DNSName) == [
        "tappaas-cloud.recovery.internal", "tappaas-cloud",
    ]  # fmt: skip


def test_the_wireguard_public_key_follows_rfc_7748() -> None:
    """RFC 7748 section 6.1: Alice's X25519 private key and the public key it gives."""
    private = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    public = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    assert (
        wireguard_public_key(base64.b64encode(private).decode())
        == base64.b64encode(public).decode()
    )


def test_secrets_never_show_in_reprs() -> None:
    text = repr(CREDENTIALS)
    assert CREDENTIALS.api_token.get_secret_value() not in text
    assert CREDENTIALS.fingerprint in text
