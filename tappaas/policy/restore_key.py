"""A recovery stack must hold what a restore needs: the copy's key and every secret it names.

The off-site copy is encrypted on the site before it leaves (``encrypted_only``), so the
peer holds ciphertext only. When the site is gone, its key file went with it: unless the
recovery stack carries the key (a stack secret, from the copy on paper), nothing can be
restored. ``restore_key`` (part of ``evaluate``) checks that the config names the key;
``unset_secrets`` checks, given the stack's config keys, that every named secret is set,
so ``pulumi preview`` fails before anything is rented.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tappaas.model import CloudProvider, Role, SecretRef, SiteConfig
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport

KEY_PATH = "recovery.encryption_key"


def restore_key_ref(site: SiteConfig) -> SecretRef | None:
    """The key the restored backups are read with (``recovery.encryption_key``, else the
    site's own ``backup.encryption.key`` when the recovery stack is a copy of the site's)."""
    if site.recovery.encryption_key is not None:
        return site.recovery.encryption_key
    if site.backup is not None and site.backup.encryption.enabled:
        return site.backup.encryption.key
    return None


def restore_key(site: SiteConfig, _report: ProtectionReport) -> Iterator[Finding]:
    """Error: a recovery stack reading an encrypted copy names no key to decrypt it."""
    if site.role is not Role.CLOUD_RECOVERY or site.remote is None:
        return
    if site.remote.encrypted_only and restore_key_ref(site) is None:
        yield Finding(
            code=Code.RESTORE_KEY_MISSING,
            severity=Severity.ERROR,
            path=KEY_PATH,
            message=(
                "the copy on the peer is encrypted, but this stack names no key to read it: "
                "nothing could be restored"
            ),
            fix=(
                "write recovery.encryption_key: {secret: pbsEncryptionKey} and run `pulumi "
                'config set --secret pbsEncryptionKey "$(cat encryption-key.json)"` with the '
                "key kept off-site"
            ),
        )


def needed_secrets(site: SiteConfig) -> dict[str, SecretRef]:
    """Config path → secret reference, for every secret a recovery stack uses."""
    if site.role is not Role.CLOUD_RECOVERY:
        return {}
    needed: dict[str, SecretRef] = {}
    key = restore_key_ref(site)
    if key is not None:
        needed[KEY_PATH] = key
    if site.remote is not None and site.remote.credential is not None:
        needed["remote.credential.token_secret"] = site.remote.credential.token_secret
    cloud = site.cloud
    if cloud is not None:
        credentials = cloud.credentials
        needed["cloud.credentials.api_token"] = credentials.api_token
        if cloud.provider is not CloudProvider.EXISTING:
            needed["cloud.credentials.root_password"] = credentials.root_password
            needed["cloud.credentials.tls_key"] = credentials.tls_key
            needed["cloud.credentials.tls_certificate"] = credentials.tls_certificate
            if cloud.wireguard is not None:
                needed["cloud.wireguard.private_key"] = cloud.wireguard.private_key
    return needed


def unset_secrets(site: SiteConfig, is_set: Callable[[SecretRef], bool]) -> tuple[Finding, ...]:
    """An error for each secret the recovery needs that the stack config does not hold."""
    findings = []
    for path, ref in needed_secrets(site).items():
        if is_set(ref):
            continue
        generated = path.startswith("cloud.")
        findings.append(
            Finding(
                code=Code.SECRET_UNSET,
                severity=Severity.ERROR,
                path=path,
                message=f"stack secret {ref.secret!r} is not set: the recovery cannot run",
                fix=(
                    "run `tappaas cloud credentials <stack>` (it generates the host's secrets)"
                    if generated
                    else f"run `pulumi config set --secret {ref.key} <value>`"
                ),
            )
        )
    return tuple(findings)
