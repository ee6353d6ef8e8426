"""Messages from our providers to the engine's diagnostics, outside any resource's error.

The Python dynamic-provider host (``python -m pulumi.dynamic``, started by the engine's
``pulumi-resource-pulumi-python`` script) gets the engine's gRPC address as its last argument
(pulumi ``sdk/go/common/resource/plugin/provider_plugin.go``: ``newPlugin(…,
[]string{host.ServerAddr()}, …)``) but never connects to it: ``pulumi.log`` there falls back
to stderr, which the engine shows as unattributed output. So we call the engine's ``Log``
RPC ourselves (``pkg/host/host_server.go``): DEBUG lines appear only with ``pulumi up
--debug`` (and in ``--logflow -v=…`` logs); INFO and WARNING lines are shown to the user.

Outside that host (tests, the program, ``tappaas`` commands) there is no engine: messages go
to this module's Python logger instead.
"""

from __future__ import annotations

import logging
import sys
from functools import cache

import grpc  # type: ignore[import-untyped]
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

DYNAMIC_HOST_MODULE = "pulumi.dynamic.__main__"
log = logging.getLogger(__name__)


def in_dynamic_host() -> bool:
    """Whether this process is the engine's Python dynamic-provider host."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == DYNAMIC_HOST_MODULE


@cache
def _engine() -> engine_pb2_grpc.EngineStub | None:
    if not in_dynamic_host() or len(sys.argv) < 2:
        return None
    return engine_pb2_grpc.EngineStub(grpc.insecure_channel(sys.argv[-1]))


def _send(severity: engine_pb2.LogSeverity.ValueType, level: int, message: str) -> None:
    engine = _engine()
    if engine is None:
        log.log(level, "%s", message)
        return
    try:
        engine.Log(engine_pb2.LogRequest(severity=severity, message=message))
    except grpc.RpcError:  # the engine went away: nobody is left to tell
        log.log(level, "%s", message)


def debug(message: str) -> None:
    """For the engine's debug output only (``pulumi up --debug``)."""
    _send(engine_pb2.DEBUG, logging.DEBUG, message)


def info(message: str) -> None:
    """Shown to the user in the command's output."""
    _send(engine_pb2.INFO, logging.INFO, message)


def warning(message: str) -> None:
    """Shown to the user as a warning."""
    _send(engine_pb2.WARNING, logging.WARNING, message)
