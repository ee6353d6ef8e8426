"""The recovery host's user-data: a ``#cloud-config`` document that starts the setup script.

cloud-init writes the files the setup needs (our network file, the WireGuard config, the
certificate, the token secret, the script and its systemd unit), sets root's password for
the PVE web GUI, stops managing the network and ``/etc/hosts`` (the setup takes them over:
PVE needs its hostname on the primary address and a bridge of its own), and starts the
unit. The script then runs at every boot until it is done, across the reboot into the PVE
kernel. The document holds secrets: backends pass it to the instance as a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import SecretStr

from tappaas.rental.setup_script import SCRIPT_PATH, SECRETS_DIR, UNIT_NAME

HEADER = "#cloud-config\n"
STOP_MANAGING = "network: {config: disabled}\nmanage_etc_hosts: false\n"
"""cloud.cfg.d drop-in: cloud-init keeps its hands off networking and /etc/hosts from now on."""
UNIT = f"""\
[Unit]
Description=tappaas: make this host the Proxmox VE host of a cloud recovery
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart={SCRIPT_PATH}
TimeoutStartSec=infinity
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
"""


@dataclass(frozen=True)
class HostSecrets:
    """The secrets written onto the host (from the stack's secret config)."""

    root_password: SecretStr
    api_token: SecretStr
    tls_key: SecretStr
    tls_certificate: SecretStr
    wireguard: SecretStr | None = None
    """The rendered ``wg0.conf`` (it holds the private key)."""
    reader_token: SecretStr | None = None
    """Staging only: the peer's read-only token secret."""
    encryption_key: SecretStr | None = None
    """Staging only: the backups' key, for the local PBS storage entry."""


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, so the rendered files stay readable."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


def _file(path: str, content: str, mode: str = "0600") -> dict[str, Any]:
    return {"path": path, "content": content, "owner": "root:root", "permissions": mode}


def render_cloud_init(
    *,
    hostname: str,
    fqdn: str,
    interfaces: str,
    setup_script: str,
    secrets: HostSecrets,
    ssh_keys: tuple[str, ...] = (),
) -> str:
    """The user-data document (YAML after the ``#cloud-config`` line)."""
    files = [
        _file("/etc/cloud/cloud.cfg.d/99-tappaas.cfg", STOP_MANAGING, "0644"),
        _file(f"{SECRETS_DIR}/interfaces", interfaces, "0644"),
        _file(f"{SECRETS_DIR}/pve-token", secrets.api_token.get_secret_value()),
        _file(f"{SECRETS_DIR}/pveproxy-ssl.pem", secrets.tls_certificate.get_secret_value()),
        _file(f"{SECRETS_DIR}/pveproxy-ssl.key", secrets.tls_key.get_secret_value()),
        _file(SCRIPT_PATH, setup_script, "0755"),
        _file(f"/etc/systemd/system/{UNIT_NAME}", UNIT, "0644"),
    ]
    optional = {
        "wg0.conf": secrets.wireguard,
        "reader-token": secrets.reader_token,
        "encryption-key.json": secrets.encryption_key,
    }
    files += [
        _file(f"{SECRETS_DIR}/{name}", value.get_secret_value())
        for name, value in optional.items()
        if value is not None
    ]
    document: dict[str, Any] = {
        "hostname": hostname,
        "fqdn": fqdn,
        "manage_etc_hosts": False,
        "ssh_pwauth": False,
        "chpasswd": {
            "expire": False,
            "users": [
                {
                    "name": "root",
                    "password": secrets.root_password.get_secret_value(),
                    "type": "text",
                }
            ],
        },
        "write_files": files,
        "runcmd": [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", UNIT_NAME],
            ["systemctl", "start", "--no-block", UNIT_NAME],
        ],
    }
    if ssh_keys:
        document["ssh_authorized_keys"] = list(ssh_keys)
    return HEADER + yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, width=100)
