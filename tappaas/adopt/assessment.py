"""Is an imported site deployable? The checks ``tappaas check`` runs, named back to upstream.

Problems at an open decision's path are that decision (not repeated); every other config
problem and every blocking policy finding is shown with the upstream file and field its
value came from, when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.adopt.result import Conversion
from tappaas.model import ConfigError, load_site_config
from tappaas.model.errors import is_under
from tappaas.policy import Finding, evaluate


@dataclass(frozen=True)
class Problem:
    """A config problem or blocking finding: site ``path``, message, upstream ``source``."""

    path: str
    message: str
    source: str | None


@dataclass(frozen=True)
class Assessment:
    """What stands between the imported stack and ``tappaas check`` passing."""

    problems: tuple[Problem, ...]
    warnings: tuple[Finding, ...]
    open_decisions: int

    @property
    def deployable(self) -> bool:
        return not self.problems and not self.open_decisions


def assess(conversion: Conversion) -> Assessment:
    """Validate the site and run the policy; decisions still open count as problems."""
    open_paths = [d.path for d in conversion.decisions]

    def is_open(path: str) -> bool:
        return any(is_under(path, p) or is_under(p, path) for p in open_paths)

    try:
        site = load_site_config(conversion.site)
    except ConfigError as error:
        problems = tuple(
            Problem(issue.path, issue.message, conversion.source_of(issue.path))
            for issue in error.issues
            if not is_open(issue.path)
        )
        return Assessment(problems, (), len(open_paths))
    findings = evaluate(site)
    blocking = tuple(
        Problem(
            f.path, f"[{f.code.value}] {f.message} (fix: {f.fix})", conversion.source_of(f.path)
        )
        for f in findings
        if f.blocks_deployment
    )
    warnings = tuple(f for f in findings if not f.blocks_deployment)
    return Assessment(blocking, warnings, len(open_paths))
