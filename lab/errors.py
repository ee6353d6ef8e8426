"""Errors a lab handler raises; each product's envelope renders them its own way.

``ApiError`` carries an HTTP status and the message exactly as the product words it (PVE
messages end with a newline because they come from Perl ``die "...\\n"``).
``ParameterError`` is the schema-verification failure with one message per parameter.
"""

from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """An API call failed with ``status`` and the product's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ParameterError(ApiError):
    """Parameter verification failed; ``errors`` maps each parameter to its message. PVE
    raises the same shape with its own message for invalid objects (a ``PVE::Exception``
    with ``errors``, e.g. "Rule 'x' is invalid.")."""

    def __init__(
        self, errors: dict[str, str], message: str = "Parameter verification failed.\n"
    ) -> None:
        super().__init__(HTTPStatus.BAD_REQUEST, message)
        self.errors = errors


def pve_die(message: str, status: int = HTTPStatus.INTERNAL_SERVER_ERROR) -> ApiError:
    """A PVE ``die "message\\n"``: status 500 unless the code raised with another one."""
    return ApiError(status, message if message.endswith("\n") else message + "\n")


def pbs_bail(message: str, status: int = HTTPStatus.BAD_REQUEST) -> ApiError:
    """A PBS ``bail!``/``http_bail!``: plain anyhow errors become 400."""
    return ApiError(status, message)


def pbs_param_bail(name: str, message: str) -> ApiError:
    """A PBS ``param_bail!``: rendered like a one-parameter verification failure."""
    return ApiError(HTTPStatus.BAD_REQUEST, f"parameter verification failed - '{name}': {message}")
