"""PBS ids we derive from names in the config, always within PBS's 3-32 characters.

Job ids and remote names are ``PROXMOX_SAFE_ID`` strings of 3 to 32 characters (proxmox-rs
``pbs-api-types/src/jobs.rs`` ``JOB_ID_SCHEMA``, ``remote.rs`` ``REMOTE_ID_SCHEMA``), but a
datastore or site name may itself be up to 32 long (or a site name 1 character), so
``<datastore>-retention`` or a remote named ``a`` would be refused at ``up``. An id that fits
is used as written (existing jobs keep their ids); a longer one keeps its prefix and suffix
and shortens the name, adding 8 hex digits of a hash of the whole id so two long names stay
apart; a shorter one gets ``-pbs`` appended.
"""

from __future__ import annotations

import hashlib

PBS_ID_MIN, PBS_ID_MAX = 3, 32
HASH_DIGITS = 8
SHORT_ID_PAD = "-pbs"


def fitted_id(prefix: str, name: str, suffix: str = "") -> str:
    """``prefix + name + suffix``, shortened or padded into 3-32 characters."""
    text = f"{prefix}{name}{suffix}"
    if len(text) > PBS_ID_MAX:
        digest = hashlib.sha256(text.encode()).hexdigest()[:HASH_DIGITS]
        keep = PBS_ID_MAX - len(prefix) - len(suffix) - HASH_DIGITS - 1
        text = f"{prefix}{name[:keep]}-{digest}{suffix}"
    if len(text) < PBS_ID_MIN:
        text += SHORT_ID_PAD
    return text


def retention_job_id(owner: str) -> str:
    """The prune job keeping ``owner``'s backups (a datastore, or a guest site on a peer)."""
    return fitted_id("", owner, "-retention")


def verify_job_id(datastore: str) -> str:
    return fitted_id("", datastore, "-verify")


def pull_job_id(guest: str) -> str:
    """The sync job pulling guest site ``guest``'s backups onto a peer."""
    return fitted_id("pull-", guest)


def on_mount_job_id(datastore: str) -> str:
    """The sync job filling removable datastore ``datastore`` when it is mounted."""
    return fitted_id("", datastore, "-on-mount")


def guest_remote_name(guest: str) -> str:
    """The peer's remote entry for guest site ``guest``'s PBS."""
    return fitted_id("", guest)
