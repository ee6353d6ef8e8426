"""``POST /access/ticket``, the same check on both products.

A password or a still valid ticket of the same user (proxmoxer renews its ticket that way)
logs in an enabled user; an unknown or disabled user fails like a wrong password. Each
product words the failure its own way and may add keys to the answer.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from lab.api.routes import Call
from lab.errors import ApiError


def login(call: Call[Any], failure: str) -> dict[str, Any]:
    """A fresh ticket for ``username``/``password``, or a 401 with the product's ``failure``."""
    userid, password = str(call.param("username")), str(call.param("password"))
    user = call.access.users.get(userid)
    valid = (
        user is not None
        and user.enable
        and (
            (user.password is not None and password == user.password)
            or call.services.tickets.verify_ticket(password) == userid
        )
    )
    if not valid:
        raise ApiError(HTTPStatus.UNAUTHORIZED, failure)
    ticket, csrf = call.services.tickets.issue(userid)
    return {"username": userid, "ticket": ticket, "CSRFPreventionToken": csrf}
