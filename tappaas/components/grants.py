"""Granting a PBS role to an API token, the way PBS evaluates it.

A PBS token holds the intersection of its own ACLs and its user's privileges ("limit privs
to that of owning user"), so a role granted to the token alone gives it nothing: the user
gets the same role on the same path. The user has no password, so only the token can use it.
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
    """``role`` on ``path`` for the token (``<name>``) and its user (``<name>-user``)."""
    return [
        PbsAcl(
            f"{name}-user",
            {"endpoint": endpoint, "path": path, "auth_id": userid, "role": role},
            opts,
        ),
        PbsAcl(
            name,
            {"endpoint": endpoint, "path": path, "auth_id": token_id, "role": role},
            opts,
        ),
    ]
