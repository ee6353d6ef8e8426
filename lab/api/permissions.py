"""Permission checks read from the schema's ``permissions`` object, per product dialect.

PVE: ``{"check": ["perm", "/vms/{vmid}", ["VM.Audit"], "any", 1]}`` with ``and``/``or``,
``userid-param``, ``perm-modify``; ``{"user": "all"|"world"}``. PBS: ``{"check": {"path":
["datastore", "{store}"], "privs": [...], "partial": bool}}``, ``{"or": [...]}``,
``{"and": [...]}``, ``{"userParam": "userid"}``. A missing or unknown rule admits only the
superuser. Returns None when allowed, else the text PVE puts in "Permission check failed
(…)" (PBS always answers "permission check failed").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lab.state.access import AccessControl

_PLACEHOLDER = re.compile(r"\{([^}]+)\}")
DENIED = "user != root@pam"


def _fill(path: str, params: Mapping[str, Any]) -> str | None:
    missing = [name for name in _PLACEHOLDER.findall(path) if name not in params]
    if missing:
        return None
    return _PLACEHOLDER.sub(lambda m: str(params[m.group(1)]), path)


def _pve_check(
    expr: Any, auth_id: str, params: Mapping[str, Any], access: AccessControl
) -> str | None:
    if not isinstance(expr, list) or not expr:
        return None if access.is_superuser(auth_id) else DENIED
    head = expr[0]
    if head in ("and", "or"):
        results = [_pve_check(sub, auth_id, params, access) for sub in expr[1:]]
        failures = [r for r in results if r is not None]
        if head == "and":
            return failures[0] if failures else None
        return None if len(failures) < len(results) else failures[0]
    if head == "perm":
        path = _fill(str(expr[1]), params)
        privs = [str(p) for p in expr[2]]
        if path is None:
            return f"{expr[1]}, {'|'.join(privs)}"
        have = access.privileges(auth_id, path)
        if "any" in expr[3:]:
            return None if have & set(privs) else f"{path}, {'|'.join(privs)}"
        missing = [p for p in privs if p not in have]
        return f"{path}, {missing[0]}" if missing else None
    if head == "perm-modify":
        path = _fill(str(expr[1]), params) or "/"
        ok = "Permissions.Modify" in access.privileges(auth_id, path)
        return None if ok else f"{path}, Permissions.Modify"
    if head == "userid-param":
        userid = str(params.get("userid", ""))
        if expr[1] == "self":
            return None if userid == auth_id.split("!", maxsplit=1)[0] else DENIED
        path = f"/access/realm/{userid.rpartition('@')[2]}"
        return None if str(expr[1]) in access.privileges(auth_id, path) else f"{path}, {expr[1]}"
    if head == "userid-group":
        wanted = {str(p) for p in expr[1]}
        return None if access.privileges(auth_id, "/access/groups") & wanted else DENIED
    return None if access.is_superuser(auth_id) else DENIED


def pve_permission_error(
    permissions: Mapping[str, Any], auth_id: str, params: Mapping[str, Any], access: AccessControl
) -> str | None:
    """None if a PVE call is allowed, else the detail of "Permission check failed (…)"."""
    if access.is_superuser(auth_id) or permissions.get("user") in ("all", "world"):
        return None
    if "check" in permissions:
        return _pve_check(permissions["check"], auth_id, params, access)
    return None if access.is_superuser(auth_id) else DENIED


def pbs_allowed(
    permissions: Mapping[str, Any], auth_id: str, params: Mapping[str, Any], access: AccessControl
) -> bool:
    """Whether a PBS call passes its router-level permission."""
    if permissions.get("user") in ("all", "world"):
        return True
    if "or" in permissions:
        return any(pbs_allowed(p, auth_id, params, access) for p in permissions["or"])
    if "and" in permissions:
        return all(pbs_allowed(p, auth_id, params, access) for p in permissions["and"])
    if "userParam" in permissions:
        return params.get(str(permissions["userParam"])) == auth_id.split("!", maxsplit=1)[0]
    check = permissions.get("check")
    if isinstance(check, Mapping):
        parts = [_fill(str(p), params) for p in check.get("path", [])]
        if any(p is None for p in parts):
            return False
        path = "/" + "/".join(str(p) for p in parts)
        privs = {str(p) for p in check.get("privs", [])}
        have = access.privileges(auth_id, path)
        return bool(have & privs) if check.get("partial") else privs <= have
    return access.is_superuser(auth_id)
