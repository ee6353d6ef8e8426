"""Tickets with CSRF, API tokens, and the products' 401/403 answers."""

from __future__ import annotations

import pytest
from proxmoxer import AuthenticationError, ProxmoxAPI

from lab import Endpoint
from tests.lab.clients import client, raw


def _ticket(endpoint: Endpoint) -> dict[str, str]:
    response = raw(
        endpoint,
        "POST",
        "/access/ticket",
        auth=False,
        data={"username": endpoint.root_userid, "password": endpoint.root_password},
    )
    assert response.status_code == 200
    data: dict[str, str] = response.json()["data"]
    return data


@pytest.mark.parametrize("instance", ["pve", "local"])
def test_password_login_then_writes_need_the_csrf_token(lab, instance):
    endpoint = lab.pve if instance == "pve" else lab.pbs[instance]
    data = _ticket(endpoint)
    prefix = endpoint.product.upper()
    assert data["ticket"].startswith(f"{prefix}:root@pam:")
    cookie = {"Cookie": f"{prefix}AuthCookie={data['ticket']}"}
    assert raw(endpoint, "GET", "/version", auth=False, headers=cookie).status_code == 200
    path = "/cluster/options" if instance == "pve" else "/access/acl"
    body = (
        {"description": "x"}
        if instance == "pve"
        else {"path": "/", "role": "Audit", "auth-id": "root@pam"}
    )
    refused = raw(endpoint, "PUT", path, auth=False, headers=cookie, data=body)
    assert refused.status_code == 401
    if instance == "pve":
        assert refused.reason == "Permission denied - invalid csrf token"
    else:
        assert refused.text == "authentication failed"
    allowed = raw(
        endpoint,
        "PUT",
        path,
        auth=False,
        data=body,
        headers={**cookie, "CSRFPreventionToken": data["CSRFPreventionToken"]},
    )
    assert allowed.status_code == 200


def test_proxmoxer_password_auth_works(lab):
    assert client(lab.pve, password=True).version.get()["version"]
    assert client(lab.pbs["local"], password=True).version.get()["version"]


def test_wrong_password_fails(lab):
    endpoint = lab.pve
    response = raw(
        endpoint,
        "POST",
        "/access/ticket",
        auth=False,
        data={"username": "root@pam", "password": "nope"},
    )
    assert (response.status_code, response.reason) == (401, "authentication failure")
    with pytest.raises(AuthenticationError):
        ProxmoxAPI(
            endpoint.host, port=endpoint.port, user="root@pam", password="nope", verify_ssl=False
        )


def test_pve_token_errors_use_pve_texts(lab):
    endpoint = lab.pve
    cases = {
        f"PVEAPIToken={endpoint.token_id}=wrong": "invalid token value!",
        "PVEAPIToken=root@pam!nosuch=x": "no such token 'nosuch' for user 'root@pam'",
        "PVEAPIToken=ghost@pve!t=x": "user 'ghost@pve' does not exist",
    }
    for header, reason in cases.items():
        response = raw(endpoint, "GET", "/version", auth=False, headers={"Authorization": header})
        assert (response.status_code, response.reason) == (401, reason)
    assert raw(endpoint, "GET", "/version", auth=False).reason == "No ticket"


def test_pbs_auth_failures_are_uniform(lab):
    endpoint = lab.pbs["local"]
    for header in (f"PBSAPIToken={endpoint.token_id}:wrong", "PBSAPIToken=root@pam!x:y", None):
        headers = {"Authorization": header} if header else {}
        response = raw(endpoint, "GET", "/version", auth=False, headers=headers)
        assert (response.status_code, response.reason, response.text) == (
            401,
            "Unauthorized",
            "authentication failed",
        )


def test_unknown_paths(lab):
    pve = raw(lab.pve, "GET", "/nodes/tappaas1/no-such-thing")
    assert (pve.status_code, pve.reason) == (
        501,
        "Method 'GET /nodes/tappaas1/no-such-thing' not implemented",
    )
    pbs = raw(lab.pbs["local"], "GET", "/no/such")
    assert (pbs.status_code, pbs.text) == (404, "Path '/api2/json/no/such' not found.")
