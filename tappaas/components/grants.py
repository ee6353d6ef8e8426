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

from providers import PbsAcl


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
