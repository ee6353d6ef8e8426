"""The recovery host's ``#cloud-config``: parsed as YAML, each file checked, secrets 0600."""

from __future__ import annotations

import yaml

from tappaas.rental.setup_script import SCRIPT_PATH, UNIT_NAME
from tests.rental.hosts import CREDENTIALS, files, ini, site, user_data

SECRET_FILES = ("pve-token", "pveproxy-ssl.key", "wg0.conf")


def test_it_is_a_cloud_config_document_that_starts_the_setup_unit() -> None:
    text, document = user_data(site())
    assert text.startswith("#cloud-config\n")
    assert document["hostname"] == "tappaas-cloud"
    assert document["fqdn"] == "tappaas-cloud.recovery.internal"
    assert document["manage_etc_hosts"] is False
    assert document["ssh_pwauth"] is False
    assert document["runcmd"] == [
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", UNIT_NAME],
        ["systemctl", "start", "--no-block", UNIT_NAME],
    ]
    [root] = document["chpasswd"]["users"]
    assert root == {
        "name": "root",
        "password": CREDENTIALS.root_password.get_secret_value(),
        "type": "text",
    }


def test_cloud_init_stops_managing_network_and_hosts() -> None:
    _, document = user_data(site())
    drop_in = files(document)["/etc/cloud/cloud.cfg.d/99-tappaas.cfg"]
    assert yaml.safe_load(drop_in["content"]) == {
        "network": {"config": "disabled"},
        "manage_etc_hosts": False,
    }


def test_secrets_are_root_only_files_and_the_rest_is_readable() -> None:
    _, document = user_data(site())
    written = files(document)
    for name in SECRET_FILES:
        entry = written[f"/etc/tappaas/{name}"]
        assert (entry["owner"], entry["permissions"]) == ("root:root", "0600"), name
    assert written["/etc/tappaas/pve-token"]["content"] == CREDENTIALS.api_token.get_secret_value()
    assert written["/etc/tappaas/pveproxy-ssl.key"]["content"].startswith("-----BEGIN PRIVATE KEY")
    assert written[SCRIPT_PATH]["permissions"] == "0755"
    assert written["/etc/tappaas/interfaces"]["permissions"] == "0644"


def test_the_unit_runs_the_script_once_per_boot_without_a_timeout() -> None:
    _, document = user_data(site())
    unit = ini(files(document)[f"/etc/systemd/system/{UNIT_NAME}"]["content"])
    assert unit["Service"]["Type"] == "oneshot"
    assert unit["Service"]["ExecStart"] == SCRIPT_PATH
    assert unit["Service"]["TimeoutStartSec"] == "infinity"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert unit["Unit"]["After"] == "network-online.target"


def test_the_staging_secrets_are_written_only_when_staging() -> None:
    _, plain = user_data(site())
    assert "/etc/tappaas/reader-token" not in files(plain)
    _, staged = user_data(site(staging=True))
    written = files(staged)
    assert written["/etc/tappaas/reader-token"]["content"] == "reader-token-secret"
    assert written["/etc/tappaas/encryption-key.json"]["permissions"] == "0600"


def test_no_tunnel_no_wireguard_file() -> None:
    raw_site = site()
    no_tunnel = raw_site.model_copy(
        update={"cloud": raw_site.cloud.model_copy(update={"wireguard": None})}  # type: ignore[union-attr]
    )
    _, document = user_data(no_tunnel)
    assert "/etc/tappaas/wg0.conf" not in files(document)
    assert "step wireguard" not in files(document)[SCRIPT_PATH]["content"]


def test_admin_keys_are_installed_when_given() -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly admin@home"
    _, document = user_data(site(ssh_keys=[key]))
    assert document["ssh_authorized_keys"] == [key]
    _, without = user_data(site())
    assert "ssh_authorized_keys" not in without


def test_the_ec2_data_disk_is_found_by_its_volume_id() -> None:
    _, document = user_data(site("aws"), volume_id="vol-0abc123")
    script = files(document)[SCRIPT_PATH]["content"]
    assert "DATA_DEVICE=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc123" in script
    assert "NIC=ens5" in script
