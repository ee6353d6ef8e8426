"""Coming from TAPPaaS scripts: upstream's configuration and module files → a stack (pure).

Public API::

    from tappaas.adopt import import_upstream, assess, UpstreamError

- ``import_upstream(configuration, modules, answers=None) -> Conversion``: reads
  ``configuration.json`` and every JSON under ``modules`` (a site's ``/home/tappaas/config``
  or the TAPPaaS source tree) into a ``tappaas:site`` mapping. What the files cannot say
  (fingerprints, pool disks, the off-site peer) is a placeholder and a ``Decision`` naming
  the upstream file and field; ``answers`` (a partial site mapping) fills them in. Secrets
  are references (``SecretToSet`` says how to get each); fields not imported are listed
  (``NotImported``, with the reason, ``unknown field`` included); ``Difference`` says what
  the stack changes relative to what upstream's scripts set up. Bad files raise
  ``UpstreamError`` listing every problem (file, field).
- ``assess(conversion) -> Assessment``: the config and policy checks of ``tappaas check``,
  with each problem traced back to its upstream file and field.
- ``render``/``existing_document`` write ``Pulumi.<stack>.yaml`` keeping its other keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tappaas.adopt.answers import answered, read_answers
from tappaas.adopt.assessment import Assessment, Problem, assess
from tappaas.adopt.conversion import convert
from tappaas.adopt.errors import UpstreamError, UpstreamIssue
from tappaas.adopt.result import (
    PLACEHOLDER,
    Conversion,
    Decision,
    Difference,
    NotImported,
    SecretToSet,
)
from tappaas.adopt.stack_file import (
    StackFileError,
    existing_document,
    render,
    secrets_already_set,
)


def import_upstream(
    configuration: Path,
    modules: Path,
    answers: Mapping[str, Any] | None = None,
    answers_source: str = "answers",
) -> Conversion:
    """Upstream files (and optional answers) → the site mapping and its report."""
    conversion = convert(configuration, modules)
    return answered(conversion, answers, answers_source) if answers else conversion


__all__ = [
    "PLACEHOLDER",
    "Assessment",
    "Conversion",
    "Decision",
    "Difference",
    "NotImported",
    "Problem",
    "SecretToSet",
    "StackFileError",
    "UpstreamError",
    "UpstreamIssue",
    "assess",
    "existing_document",
    "import_upstream",
    "read_answers",
    "render",
    "secrets_already_set",
]
