"""Granting a PBS role to an API token, the way PBS evaluates it.

A PBS token holds the intersection of its own ACLs and its user's privileges ("limit privs
to that of owning user"), so a role granted to the token alone gives it nothing: the user
gets the same role on the same path. The user has no password, so only the token can use it.

Grants do not propagate: PBS ACLs inherit down the namespace tree (pbs-config ``acl.rs``),
so a propagating grant on a site's own namespace (the datastore root, as upstream TAPPaaS
keeps it) would also reach every namespace below it — the guests' copies a peer keeps in
``remote/<site>``. Each token gets its role on exactly the namespace it needs.
"""

from __future__ import annotations

import pulumi

from providers import PbsAcl


def grant(
    name: str,
    endpoint: dict[str, object],
    *,
    path: str,
    role: str,
    userid: pulumi.Input[str],
    token_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> list[PbsAcl]:
    """``role`` on ``path`` alone for the token (``<name>``) and its user (``<name>-user``)."""
    return [
        PbsAcl(
            f"{name}-user",
            {"endpoint": endpoint, "path": path, "auth_id": userid, "role": role,
             "propagate": False},
            opts,
        ),
        PbsAcl(
            name,
            {"endpoint": endpoint, "path": path, "auth_id": token_id, "role": role,
             "propagate": False},
            opts,
        ),
    ]  # fmt: skip
