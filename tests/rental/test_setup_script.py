"""The setup script: valid bash, the wiki's steps in order, no secret inside, staging pulls."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tappaas.rental import render_setup_script, step_names
from tappaas.rental.setup_script import KEYRING_SHA256, HostSetup, StagingPlan
from tests.rental.hosts import SECRETS, site
from tests.rental.hosts import user_data as rendered

SETUP = HostSetup(
    node="tappaas-cloud",
    fqdn="tappaas-cloud.recovery.internal",
    host_address="10.77.0.10",
    nic="ens4",
    data_device="/dev/disk/by-id/google-tappaas-data",
    storage_id="tappaas-data",
    token_id="tappaas@pve!recovery",
    wireguard=True,
)
STAGING = StagingPlan(
    remote_host="10.20.0.11",
    remote_port=8007,
    remote_fingerprint=":".join(["AB"] * 32),
    remote_datastore="tappaas_backup",
    remote_namespace="remote/home",
    reader_token_id="tappaas-peer@pbs!pull",
    groups=("vm/110", "vm/340"),
    source_storage="tappaas-dr",
)


def _bash_syntax(script: str) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    assert bash is not None, "bash is needed to check the script's syntax"
    return subprocess.run([bash, "-n"], input=script, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("staging", [None, STAGING], ids=["direct", "staging"])
def test_it_is_valid_bash(staging: StagingPlan | None) -> None:
    script = render_setup_script(HostSetup(**{**SETUP.__dict__, "staging": staging}))
    checked = _bash_syntax(script)
    assert checked.returncode == 0, checked.stderr
    assert script.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in script


def test_the_steps_follow_the_wiki_and_end_with_the_certificate() -> None:
    script = render_setup_script(SETUP)
    calls = re.findall(r"^step (\w+)$", script, flags=re.MULTILINE)
    assert calls == step_names(SETUP) == [
        "hosts", "repository", "kernel", "reboot_into_pve_kernel", "pve", "network",
        "wireguard", "data_pool", "api_token", "certificate",
    ]  # fmt: skip
    for name in calls:
        assert re.search(rf"^{name}\(\) {{$", script, flags=re.MULTILINE), name


def test_the_wiki_details_are_there() -> None:
    script = render_setup_script(SETUP)
    assert 'echo "$HOST_IP $FQDN $NODE" >> /etc/hosts' in script
    assert f"KEYRING_SHA256={KEYRING_SHA256}" in script
    assert "sha256sum --check" in script
    assert "'Components: pve-no-subscription'" in script
    assert "apt-get -y install proxmox-default-kernel" in script
    assert "Local only" in script
    assert "apt-get -y install proxmox-ve postfix open-iscsi chrony" in script
    assert "apt-get -y remove linux-image-amd64 'linux-image-6.12*'" in script
    assert "apt-get -y remove os-prober" in script
    assert script.index("proxmox-default-kernel") < script.index("systemctl reboot")


def test_an_existing_pool_is_imported_and_a_used_disk_never_formatted() -> None:
    script = render_setup_script(SETUP)
    body = script[script.index("data_pool() {") :]
    assert body.index('zpool import -f "$POOL"') < body.index("zpool create")
    assert body.index('blkid -p "$DATA_DEVICE"') < body.index("zpool create")


def test_the_token_takes_the_pregenerated_secret() -> None:
    script = render_setup_script(SETUP)
    assert "TOKEN_ID='tappaas@pve!recovery'" in script
    assert "/etc/pve/priv/token.cfg" in script
    assert '"$(cat "$SECRETS/pve-token")"' in script


def test_the_script_holds_no_secret() -> None:
    _, document = rendered(site(staging=True))
    script = next(f["content"] for f in document["write_files"] if f["path"].endswith("setup"))
    for value in (
        SECRETS.root_password,
        SECRETS.api_token,
        SECRETS.tls_key,
        SECRETS.wireguard_key,
        SECRETS.reader_token,
    ):
        assert value is not None
        assert value.get_secret_value() not in script


def test_staging_pulls_the_newest_snapshot_of_each_group_then_registers_the_storage() -> None:
    script = render_setup_script(HostSetup(**{**SETUP.__dict__, "staging": STAGING}))
    assert step_names(HostSetup(**{**SETUP.__dict__, "staging": STAGING}))[-4:] == [
        "data_pool", "staging", "api_token", "certificate",
    ]  # fmt: skip
    assert "GROUP_FILTERS='--group-filter group:vm/110 --group-filter group:vm/340'" in script
    assert '--remote-ns "$PEER_NS" --transfer-last 1 $GROUP_FILTERS' in script
    assert "PEER_NS=remote/home" in script
    assert 'pvesm add pbs "$SOURCE_STORAGE" --server 127.0.0.1' in script
    assert "SOURCE_STORAGE=tappaas-dr" in script
    body = script[script.index("staging() {") :]
    assert body.index("proxmox-backup-manager pull") < body.index("pvesm add pbs")
