"""Deleting a PBS user removes its tokens and the tokens' ACL entries, not the user's own.

proxmox-backup ``src/api2/access/user.rs`` ``delete_user``: it removes the user section and
calls ``do_delete_token`` (which drops the token's ACL entries) for each token; the ACL tree
entries of the user itself are left as they are (issue 11.12).
"""

from __future__ import annotations

from lab import Lab
from tests.providers.harness import lab_client


def test_the_users_own_acl_entries_survive(lab: Lab, unique_name) -> None:
    admin = lab_client(lab.pbs["local"])
    user = f"{unique_name('gone')}@pbs"
    admin.post("/access/users", userid=user)
    admin.post(f"/access/users/{user}/token/t")
    for auth_id in (user, f"{user}!t"):
        admin.put("/access/acl", path="/datastore", role="DatastoreAudit", **{"auth-id": auth_id})
    admin.delete(f"/access/users/{user}")
    left = {e["ugid"] for e in admin.get("/access/acl") if e["ugid"].startswith(user)}
    assert left == {user}
    admin.put(
        "/access/acl", path="/datastore", role="DatastoreAudit", delete=True, **{"auth-id": user}
    )
