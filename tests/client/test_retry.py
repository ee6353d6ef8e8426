"""Only transient faults are retried, and only a bounded number of times."""

import pytest

from tappaas.client import NotFoundError, RetryPolicy, TransientApiError, TransportError
from tappaas.client.retry import call_with_retry

POLICY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02)


def _transient() -> TransientApiError:
    return TransientApiError(product="pve", method="PUT", path="/x", status=503, message="busy")


def test_transient_faults_are_retried_until_success() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _transient() if len(calls) == 1 else TransportError("reset")
        return "ok"

    sleeps: list[float] = []
    result, retries = call_with_retry(flaky, POLICY, "test", sleep=sleeps.append)
    assert (result, retries, len(calls)) == ("ok", 2, 3)
    assert len(sleeps) == 2 and all(0 < s <= 0.02 for s in sleeps)


def test_retries_are_bounded() -> None:
    calls = []

    def always() -> None:
        calls.append(1)
        raise _transient()

    with pytest.raises(TransientApiError):
        call_with_retry(always, POLICY, "test", sleep=lambda _s: None)
    assert len(calls) == POLICY.attempts


def test_not_found_is_never_retried() -> None:
    calls = []

    def missing() -> None:
        calls.append(1)
        raise NotFoundError(product="pbs", method="GET", path="/x", status=404, message="gone")

    with pytest.raises(NotFoundError):
        call_with_retry(missing, POLICY, "test", sleep=lambda _s: None)
    assert len(calls) == 1
