"""The script that turns a fresh Debian 13 cloud host into the Proxmox VE recovery host.

Steps follow the Proxmox wiki "Install Proxmox VE on Debian 13 Trixie": an ``/etc/hosts``
line for the primary address (not 127.0.1.1), the Proxmox archive key (checked against the
wiki's SHA-256) and the ``pve-no-subscription`` source, ``proxmox-default-kernel``, a reboot
into it, then ``proxmox-ve postfix open-iscsi chrony`` (postfix preseeded "Local only"),
and the Debian kernel and ``os-prober`` removed. Then the recovery host's own steps: our
``/etc/network/interfaces`` (cloud-init stops managing the network), the WireGuard tunnel,
a ZFS pool on the data disk (an existing pool is imported, a disk holding anything else is
never formatted), optionally a staging PBS that pulls the needed groups, the API token with
the pre-generated secret (``/etc/pve/priv/token.cfg`` holds ``<tokenid> <secret>`` lines:
pve-access-control ``src/PVE/TokenConfig.pm``), and last the API certificate
(``/etc/pve/local/pveproxy-ssl.pem``/``.key``, pve-docs "Certificate Management"), so the
expected fingerprint means "set up". It holds no secret: those are files cloud-init writes
to ``/etc/tappaas`` (mode 0600), removed when the script is done.

The staging pull uses ``proxmox-backup-manager pull <remote> <remote-store> <store>`` with
``--remote-ns``, ``--group-filter`` and ``--transfer-last`` (proxmox-backup
``src/bin/proxmox-backup-manager.rs``), so only the newest snapshot of each needed group
crosses the peer's uplink, and an interrupted pull resumes where it stopped.

It runs from a systemd unit at every boot until every step has run once (a step's marker
is in ``/var/lib/tappaas-setup``), so the reboot in the middle continues where it left off.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

SECRETS_DIR = "/etc/tappaas"
STATE_DIR = "/var/lib/tappaas-setup"
SCRIPT_PATH = "/usr/local/sbin/tappaas-host-setup"
UNIT_NAME = "tappaas-host-setup.service"
KEYRING_URL = "https://enterprise.proxmox.com/debian/proxmox-archive-keyring-trixie.gpg"
KEYRING_PATH = "/usr/share/keyrings/proxmox-archive-keyring.gpg"
KEYRING_SHA256 = "136673be77aba35dcce385b28737689ad64fd785a797e57897589aed08db6e45"
"""The wiki's checksum of the trixie archive keyring."""
STAGING_DATASTORE = "staging"
STAGING_REMOTE = "peer"
STAGING_TOKEN = "root@pam!tappaas-staging"
DATA_DEVICE_WAIT_SECONDS = 600
TOKEN_ROLE = "Administrator"
"""The recovery host exists only to restore and run the site: the stack's token may do all."""


@dataclass(frozen=True)
class StagingPlan:
    """Pull the groups to restore from the peer into a PBS on the host, then restore locally."""

    remote_host: str
    remote_port: int
    remote_fingerprint: str
    remote_datastore: str
    remote_namespace: str
    reader_token_id: str
    groups: tuple[str, ...]
    """``vm/<vmid>`` of every service to restore."""
    source_storage: str
    """The PVE storage id the restores read from."""


@dataclass(frozen=True)
class HostSetup:
    """The non-secret facts the script is rendered from."""

    node: str
    fqdn: str
    host_address: str
    nic: str
    data_device: str
    storage_id: str
    token_id: str
    wireguard: bool
    staging: StagingPlan | None = None


def _assignments(values: dict[str, str]) -> str:
    return "\n".join(f"{name}={shlex.quote(value)}" for name, value in values.items())


def _variables(setup: HostSetup) -> str:
    return _assignments(
        {
            "NODE": setup.node,
            "FQDN": setup.fqdn,
            "HOST_IP": setup.host_address,
            "NIC": setup.nic,
            "DATA_DEVICE": setup.data_device,
            "POOL": setup.storage_id,
            "TOKEN_ID": setup.token_id,
            "TOKEN_ROLE": TOKEN_ROLE,
            "KEYRING_URL": KEYRING_URL,
            "KEYRING": KEYRING_PATH,
            "KEYRING_SHA256": KEYRING_SHA256,
            "SECRETS": SECRETS_DIR,
            "STATE": STATE_DIR,
            "DATA_DEVICE_WAIT_SECONDS": str(DATA_DEVICE_WAIT_SECONDS),
        }
    )


def _staging_variables(plan: StagingPlan) -> str:
    filters = " ".join(f"--group-filter group:{group}" for group in plan.groups)
    return _assignments(
        {
            "STAGING_STORE": STAGING_DATASTORE,
            "STAGING_REMOTE": STAGING_REMOTE,
            "STAGING_TOKEN": STAGING_TOKEN,
            "PEER_HOST": plan.remote_host,
            "PEER_PORT": str(plan.remote_port),
            "PEER_FINGERPRINT": plan.remote_fingerprint,
            "PEER_STORE": plan.remote_datastore,
            "PEER_NS": plan.remote_namespace,
            "READER_TOKEN_ID": plan.reader_token_id,
            "SOURCE_STORAGE": plan.source_storage,
            "GROUP_FILTERS": filters,
        }
    )


PREAMBLE = """\
#!/bin/bash
# Rendered by tappaas (tappaas/rental/setup_script.py): makes this Debian 13 host the Proxmox
# VE host of a cloud recovery. Runs at every boot until each step has run once; follow it with
# `journalctl -u tappaas-host-setup`.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
"""

STEPS = r"""
mkdir -p "$STATE"
step() {
    if [ -e "$STATE/$1" ]; then return 0; fi
    echo "tappaas-host-setup: step $1"
    "$1"
    touch "$STATE/$1"
}

hosts() {
    # PVE resolves its hostname to the primary address (wiki: no 127.0.1.1 line for it)
    hostnamectl set-hostname "$NODE"
    sed -i "/[[:space:]]$NODE\([[:space:]]\|\$\)/d" /etc/hosts
    echo "$HOST_IP $FQDN $NODE" >> /etc/hosts
}

repository() {
    wget -q "$KEYRING_URL" -O "$KEYRING"
    echo "$KEYRING_SHA256  $KEYRING" | sha256sum --check --quiet
    printf '%s\n' 'Types: deb' 'URIs: http://download.proxmox.com/debian/pve' \
        'Suites: trixie' 'Components: pve-no-subscription' "Signed-By: $KEYRING" \
        > /etc/apt/sources.list.d/pve-install-repo.sources
    apt-get update
    apt-get -y full-upgrade
}

kernel() {
    apt-get -y install proxmox-default-kernel wireguard-tools
}

reboot_into_pve_kernel() {
    touch "$STATE/reboot_into_pve_kernel"
    systemctl reboot
    exit 0
}

pve() {
    case "$(uname -r)" in
        *-pve) ;;
        *) echo "not running the Proxmox kernel ($(uname -r)): check the boot loader"; exit 1 ;;
    esac
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string $FQDN" | debconf-set-selections
    apt-get -y install proxmox-ve postfix open-iscsi chrony
    apt-get -y remove linux-image-amd64 'linux-image-6.12*'
    update-grub
    apt-get -y remove os-prober
}

network() {
    if [ ! -e "/sys/class/net/$NIC" ]; then
        echo "no interface $NIC on this host: the cloud's own network config stays"; exit 1
    fi
    rm -f /etc/network/interfaces.d/50-cloud-init /etc/netplan/50-cloud-init.yaml
    cat "$SECRETS/interfaces" > /etc/network/interfaces
    if systemctl is-enabled --quiet systemd-networkd.service 2> /dev/null; then
        systemctl disable systemd-networkd.service systemd-networkd.socket
    fi
    systemctl enable networking.service
    ifreload -a
}

wireguard() {
    install -m 0600 "$SECRETS/wg0.conf" /etc/wireguard/wg0.conf
    systemctl enable --now wg-quick@wg0.service
}

data_pool() {
    for _ in $(seq $((DATA_DEVICE_WAIT_SECONDS / 5))); do
        [ -e "$DATA_DEVICE" ] && break
        sleep 5
    done
    if [ ! -e "$DATA_DEVICE" ]; then echo "data disk $DATA_DEVICE did not appear"; exit 1; fi
    if ! zpool list "$POOL" > /dev/null 2>&1; then
        # a pool already on the disk is a restored site (a replaced host): import, never wipe
        if ! zpool import -f "$POOL" 2> /dev/null; then
            if blkid -p "$DATA_DEVICE" > /dev/null 2>&1; then
                echo "$DATA_DEVICE holds data but no pool $POOL: refusing to format it"; exit 1
            fi
            zpool create -o ashift=12 -O compression=on "$POOL" "$DATA_DEVICE"
        fi
    fi
    if ! grep -q "^zfspool: $POOL\$" /etc/pve/storage.cfg; then
        pvesm add zfspool "$POOL" --pool "$POOL" --content images,rootdir
    fi
}

api_token() {
    local user="${TOKEN_ID%%!*}" name="${TOKEN_ID#*!}" others
    pveum user list --output-format json | grep -q "\"userid\":\"$user\"" \
        || pveum user add "$user" --comment "tappaas cloud recovery"
    pveum acl modify / --users "$user" --roles "$TOKEN_ROLE"
    pveum user token list "$user" --output-format json | grep -q "\"tokenid\":\"$name\"" \
        || pveum user token add "$user" "$name" --privsep 0 --comment "tappaas cloud recovery"
    # the secret generated before the disaster (tappaas cloud credentials) replaces PVE's own
    others="$(grep -v "^$TOKEN_ID " /etc/pve/priv/token.cfg || true)"
    printf '%s\n%s %s\n' "$others" "$TOKEN_ID" "$(cat "$SECRETS/pve-token")" \
        | sed '/^$/d' > /etc/pve/priv/token.cfg
}

certificate() {
    # last step: the stack waits until the API answers with this certificate's fingerprint
    cat "$SECRETS/pveproxy-ssl.pem" > /etc/pve/local/pveproxy-ssl.pem
    cat "$SECRETS/pveproxy-ssl.key" > /etc/pve/local/pveproxy-ssl.key
    systemctl restart pveproxy.service
}
"""

STAGING = r"""
staging() {
    printf '%s\n' 'Types: deb' 'URIs: http://download.proxmox.com/debian/pbs' \
        'Suites: trixie' 'Components: pbs-no-subscription' "Signed-By: $KEYRING" \
        > /etc/apt/sources.list.d/pbs-install-repo.sources
    apt-get update
    apt-get -y install proxmox-backup-server
    zfs list "$POOL/$STAGING_STORE" > /dev/null 2>&1 || zfs create "$POOL/$STAGING_STORE"
    proxmox-backup-manager datastore list --output-format json \
        | grep -q "\"name\":\"$STAGING_STORE\"" \
        || proxmox-backup-manager datastore create "$STAGING_STORE" "/$POOL/$STAGING_STORE"
    proxmox-backup-manager remote list --output-format json \
        | grep -q "\"name\":\"$STAGING_REMOTE\"" \
        || proxmox-backup-manager remote create "$STAGING_REMOTE" --host "$PEER_HOST" \
            --port "$PEER_PORT" --auth-id "$READER_TOKEN_ID" --fingerprint "$PEER_FINGERPRINT" \
            --password "$(cat "$SECRETS/reader-token")"
    # the newest snapshot of each group to restore only; resumable, and deduplicated on disk
    # shellcheck disable=SC2086
    proxmox-backup-manager pull "$STAGING_REMOTE" "$PEER_STORE" "$STAGING_STORE" \
        --remote-ns "$PEER_NS" --transfer-last 1 $GROUP_FILTERS
    local token fingerprint
    proxmox-backup-manager user delete-token root@pam "${STAGING_TOKEN#*!}" 2> /dev/null || true
    token="$(proxmox-backup-manager user generate-token root@pam "${STAGING_TOKEN#*!}" \
        --output-format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["value"])')"
    proxmox-backup-manager acl update "/datastore/$STAGING_STORE" DatastoreReader \
        --auth-id "$STAGING_TOKEN"
    fingerprint="$(proxmox-backup-manager cert info | sed -n 's/^Fingerprint (sha256): //p')"
    if grep -q "^pbs: $SOURCE_STORAGE\$" /etc/pve/storage.cfg; then
        pvesm remove "$SOURCE_STORAGE"
    fi
    pvesm add pbs "$SOURCE_STORAGE" --server 127.0.0.1 --datastore "$STAGING_STORE" \
        --username "$STAGING_TOKEN" --password "$token" --fingerprint "$fingerprint" \
        --encryption-key "$(cat "$SECRETS/encryption-key.json")" --content backup
}
"""


def step_names(setup: HostSetup) -> list[str]:
    """The steps in the order they run."""
    names = ["hosts", "repository", "kernel", "reboot_into_pve_kernel", "pve", "network"]
    if setup.wireguard:
        names.append("wireguard")
    names.append("data_pool")
    if setup.staging is not None:
        names.append("staging")
    return [*names, "api_token", "certificate"]


def render_setup_script(setup: HostSetup) -> str:
    """The whole script (bash); it reads secrets from files, it holds none."""
    parts = [PREAMBLE, _variables(setup)]
    if setup.staging is not None:
        parts.append(_staging_variables(setup.staging))
    parts.append(STEPS)
    if setup.staging is not None:
        parts.append(STAGING)
    parts += [f"step {name}" for name in step_names(setup)]
    parts += [
        f"systemctl disable {UNIT_NAME}",
        'rm -f "$SECRETS"/*',
        'echo "tappaas-host-setup: done"',
    ]
    return "\n".join(parts) + "\n"
