"""Every implemented route validates against the official schema before its handler runs.

For each route, a call with a parameter its schema does not define is refused in the
product's shape (PVE: 400 "Parameter verification failed." with an ``errors`` entry; PBS: a
plain-text 400 naming the parameter). Path parameters get values the schema accepts, so
the refusal can only come from the unknown parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest

from lab.api.routes import Route
from lab.handlers import pbs as pbs_handlers
from lab.handlers import pve as pve_handlers
from tests.lab.clients import raw

BOGUS = "lab-bogus-param"
PATH_VALUES = {
    "node": "tappaas1",
    "vmid": "100",
    "id": "100-0",
    "sid": "vm:100",
    "rule": "rule1",
    "storage": "store1",
    "name": "store1",
    "store": "store1",
    "userid": "someone@pbs",
    "tokenid": "tok1",
    "token-name": "tok1",
    "upid": "UPID:tappaas1:00001234:00005678:6790A1B2:zfscreate:tanka:root@pam:",
}
PVE_ID_OVERRIDES = {"/cluster/backup/{id}": "daily"}
PBS_ID = "job1"


def _path(template: str, product: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "id":
            return PVE_ID_OVERRIDES.get(template, PATH_VALUES["id"]) if product == "pve" else PBS_ID
        if name == "userid" and product == "pve":
            return "someone@pve"
        return PATH_VALUES[name]

    return re.sub(r"\{([^}]+)\}", value, template)


def _bogus(method: str) -> dict[str, Any]:
    """The unknown parameter in the query (GET, DELETE) or the form body."""
    return {"params" if method in ("GET", "DELETE") else "data": {BOGUS: "1"}}


def _routes(routes: Iterable[Route], product: str) -> list[Any]:
    return [
        pytest.param(r.method, r.template, id=f"{product} {r.method} {r.template}") for r in routes
    ]


@pytest.mark.parametrize(("method", "template"), _routes(pve_handlers.ROUTES, "pve"))
def test_pve_route_refuses_an_unknown_parameter(lab, method, template):
    path = _path(template, "pve")
    response = raw(lab.pve, method, path, **_bogus(method))
    assert (response.status_code, response.reason) == (400, "Parameter verification failed.")
    assert response.json()["errors"][BOGUS] == (
        "property is not defined in schema and the schema does not allow additional properties"
    )


@pytest.mark.parametrize(("method", "template"), _routes(pbs_handlers.ROUTES, "pbs"))
def test_pbs_route_refuses_an_unknown_parameter(lab, method, template):
    path = _path(template, "pbs")
    response = raw(lab.pbs["local"], method, path, **_bogus(method))
    assert response.status_code == 400
    assert f"'{BOGUS}': schema does not allow additional properties." in response.text
