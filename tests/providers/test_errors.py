"""Provider failures as the user reads them: one line naming object, call, cause and remedy."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ReadResult
from pydantic import ValidationError

from providers._endpoint import Endpoint, MissingCredentialError
from providers._errors import AdoptionRefusedError, ProviderError, one_line, reported
from providers.pbs_datastore import PbsDatastoreProps, PbsDatastoreProvider
from tappaas.client import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
)

PBS = Endpoint.model_validate(
    {
        "product": "pbs",
        "host": "10.0.0.5",
        "port": 8007,
        "token_id": "root@pam!tappaas",
        "token_secret_config": "pbsApiToken",
    }
)


def _api(kind: type[ApiError], status: int, message: str) -> ApiError:
    return kind(product="pbs", method="POST", path="/config/datastore", status=status,
                message=message)  # fmt: skip


def _invalid() -> ValidationError:
    try:
        PbsDatastoreProps.model_validate({"endpoint": PBS.model_dump(), "name": "x"})
    except ValidationError as exc:
        return exc
    raise AssertionError("expected a validation error")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            _api(ApiError, 500, "unable to create\nsecond line of Proxmox's message"),
            "POST /config/datastore answered 500: unable to create second line of Proxmox's "
            "message; fix the stack config as Proxmox says",
        ),
        (_api(AuthError, 403, "permission check failed"), "stack secret 'pbsApiToken'"),
        (_api(NotFoundError, 404, "no such datastore"), "run `pulumi refresh`"),
        (
            _api(ConflictError, 400, "detected modified configuration - file changed"),
            "someone changed it at the same moment",
        ),
        (TransportError("connection refused"), "check that PBS 10.0.0.5:8007 is up"),
        (TaskFailedError("UPID:pbs:1", "mkdir failed", ("a", "b")), "failed: mkdir failed (a / b)"),
        (TaskTimeoutError("UPID:pbs:1", 1800.0), "it may still finish on the server"),
        (_invalid(), "path: Field required; fix the stack config"),
        (KeyError("boom"), "KeyError: 'boom'; an internal error: `pulumi up --debug`"),
        (AdoptionRefusedError("already exists with path='/x'"), "on PBS 10.0.0.5:8007: already"),
        (MissingCredentialError("stack config key 'k' is not set"), "key 'k' is not set"),
    ],
)
def test_every_failure_reads_as_one_line_with_what_to_do(exc: Exception, expected: str) -> None:
    line = one_line("PbsDatastore", "tappaas_backup", "create", exc, PBS)
    assert "\n" not in line
    assert line.startswith("PbsDatastore 'tappaas_backup' on PBS 10.0.0.5:8007: ")
    assert expected in line


def test_reported_raises_the_line_with_the_original_kept_and_no_cause_chained() -> None:
    original = _api(ApiError, 400, "bad")

    def fail() -> None:
        raise original

    with pytest.raises(ProviderError) as failed:
        reported("PbsDatastore", "x", "update", PBS, fail)
    assert failed.value.original is original
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert str(failed.value).startswith("PbsDatastore 'x' on PBS 10.0.0.5:8007: update failed")


def test_an_entry_point_a_resource_narrows_reports_one_line_too() -> None:
    """E.g. ``RestoredVm`` defines its own read: its failures read like every other's."""

    class Narrowed(PbsDatastoreProvider):
        def read(self, object_id: str, props: dict[str, Any]) -> ReadResult:
            raise KeyError("boom")

    with pytest.raises(ProviderError) as failed:
        Narrowed().read("x", {"endpoint": PBS.model_dump(mode="json")})
    assert str(failed.value).startswith("PbsDatastore 'x' on PBS 10.0.0.5:8007: read failed:")
