"""Errors are classified from what PVE and PBS really send."""

import pytest

from tappaas.client import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    ParameterError,
    TransientApiError,
)
from tappaas.client.classify import classify

CASES = [
    ("pve", 500, "storage 'nope' does not exist", NotFoundError),
    ("pve", 500, "no such replication job '100-0'", NotFoundError),
    ("pbs", 400, "no such sync 'x'", NotFoundError),
    ("pbs", 404, "Not Found", NotFoundError),
    ("pve", 500, "replication job '100-0' already exists", ConflictError),
    ("pve", 500, "storage ID 'x' already defined", ConflictError),
    ("pbs", 400, "user 'x@pbs' already exists.", ConflictError),
    (
        "pbs",
        400,
        "detected modified configuration - file changed by other user? Try again.",
        ConflictError,
    ),
    (
        "pve",
        500,
        "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
        TransientApiError,
    ),
    (
        "pve",
        500,
        "cfs-lock 'file-replication_cfg' error: got lock request timeout",
        TransientApiError,
    ),
    ("pve", 503, "Service Unavailable", TransientApiError),
    ("pbs", 502, "Bad Gateway", TransientApiError),
    ("pve", 401, "authentication failure", AuthError),
    ("pve", 403, "Permission check failed (/storage/x, Datastore.Allocate)", AuthError),
    ("pve", 400, "Parameter verification failed.", ParameterError),
    ("pve", 500, "unexpected", ApiError),
]


@pytest.mark.parametrize(("product", "status", "message", "kind"), CASES)
def test_classification(product: str, status: int, message: str, kind: type[ApiError]) -> None:
    error = classify(product=product, method="GET", path="/x", status=status, message=message)
    assert type(error) is kind
    assert message in str(error)


def test_parameter_errors_are_kept_per_parameter() -> None:
    error = classify(
        product="pve",
        method="POST",
        path="/cluster/replication",
        status=400,
        message="Parameter verification failed.",
        param_errors={"schedule": "value does not match the regex pattern"},
    )
    assert isinstance(error, ParameterError)
    assert "schedule: value does not match" in str(error)
    assert error.transient is False


def test_a_missing_object_named_in_a_parameter_error_is_not_found() -> None:
    """pve-manager ``PVE/API2/Backup.pm``: reading, changing or deleting a vzdump job that
    does not exist is ``raise_param_exc({ id => "No such job '<id>'" })`` (400)."""
    error = classify(
        product="pve",
        method="GET",
        path="/cluster/backup/tappaas-daily",
        status=400,
        message="Parameter verification failed.",
        param_errors={"id": "No such job 'tappaas-daily'"},
    )
    assert isinstance(error, NotFoundError)
    assert "id: No such job 'tappaas-daily'" in str(error)


def test_a_write_naming_a_missing_dependency_is_bad_input_not_gone() -> None:
    """A job's ``storage`` that does not exist is the config's fault: the user fixes the stack,
    refreshing would not help (only the object's own ``id`` reads as gone on a write)."""
    error = classify(
        product="pve",
        method="PUT",
        path="/cluster/backup/tappaas-daily",
        status=400,
        message="Parameter verification failed.",
        param_errors={"storage": "storage 'nowhere' does not exist"},
    )
    assert isinstance(error, ParameterError)


def test_stale_digest_is_a_conflict_that_says_so() -> None:
    error = classify(
        product="pbs",
        method="PUT",
        path="/config/sync/a",
        status=400,
        message="detected modified configuration - file changed by other user? Try again.",
    )
    assert isinstance(error, ConflictError)
    assert error.stale_digest
