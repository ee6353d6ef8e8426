"""Granting a PBS role to an API token, the way PBS evaluates it.

A PBS token holds the intersection of its own ACLs and its user's privileges ("limit privs
to that of owning user"), so a role granted to the token alone gives it nothing: the user
gets the same role on the same path. The user has no password, so only the token can use it.

Grants do not propagate: PBS ACLs inherit down the namespace tree (pbs-config ``acl.rs``),
so a propagating grant on a site's own namespace (the datastore root, as upstream TAPPaaS
keeps it) would also reach every namespace below it — the guests' copies a peer keeps in
``remote/<site>``. Each token gets its role on exactly the namespace it needs.

Ids are passed as the names PBS knows the objects by (from the config), not as outputs of
the user or token resource, with an explicit dependency instead: an output is unknown
during a preview in which that resource is updated (e.g. its PBS moved to a new address),
and an unknown identity would plan a replace of every ACL.
"""

from __future__ import annotations

import pulumi

from providers import PbsAcl, PbsToken, PbsUser


def grant(
    name: str,
    endpoint: dict[str, object],
    *,
    path: str,
    role: str,
    token_id: str,
    token: pulumi.Resource,
    opts: pulumi.ResourceOptions,
) -> list[PbsAcl]:
    """``role`` on ``path`` alone for the token (``<name>``) and its user (``<name>-user``)."""
    after = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[token]))
    userid = token_id.split("!", 1)[0]
    return [
        PbsAcl(
            f"{name}-user",
            {"endpoint": endpoint, "path": path, "auth_id": userid, "role": role,
             "propagate": False},
            after,
        ),
        PbsAcl(
            name,
            {"endpoint": endpoint, "path": path, "auth_id": token_id, "role": role,
             "propagate": False},
            after,
        ),
    ]  # fmt: skip


def token_with_role(
    endpoint: dict[str, object],
    *,
    token_id: str,
    names: tuple[str, str, str],
    comment: str,
    path: str,
    role: str,
    opts: pulumi.ResourceOptions,
    grant_opts: pulumi.ResourceOptions | None = None,
) -> tuple[PbsToken, list[PbsAcl]]:
    """A user without password, its token ``token_id`` and ``role`` for both on ``path``
    alone; ``names`` are the user's, the token's and the grant's resource names."""
    user_name, token_name, grant_name = names
    userid, token_part = token_id.split("!", 1)
    user = PbsUser(user_name, {"endpoint": endpoint, "userid": userid, "comment": comment}, opts)
    token = PbsToken(
        token_name,
        {"endpoint": endpoint, "userid": userid, "token_name": token_part},
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[user])),
    )
    acls = grant(
        grant_name, endpoint, path=path, role=role, token_id=token_id, token=token,
        opts=grant_opts or opts,
    )  # fmt: skip
    return token, acls
