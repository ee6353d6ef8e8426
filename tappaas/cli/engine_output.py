"""The engine's output for ``tappaas stack …``: streamed as it comes, errors said once.

The Automation API reports a failed run as one exception whose text holds the exit code,
the whole standard output (already shown line by line) and standard error, where Pulumi
often repeats an error ("an unhandled error occurred: …"). This keeps what was shown and
turns the failure into the engine's distinct error messages that were not on screen yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

STDERR_MARK = "\n stderr: "
ERROR_PREFIX = "error: "
REPEAT_PREFIXES = ("an unhandled error occurred: ", "Program failed with an unhandled exception: ")


@dataclass
class EngineOutput:
    """Passes each line of the engine's standard output on, and remembers it."""

    show: Callable[[str], None]
    lines: list[str] = field(default_factory=list)

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        self.show(line)

    def failure(self, error_text: str, what: str) -> str:
        """One message for a failed run: ``what`` failed, then each engine error not shown."""
        shown = "\n".join(self.lines)
        unseen = [e for e in engine_errors(error_text) if e.splitlines()[0] not in shown]
        if not unseen:
            return f"{what} failed (the engine's messages are above)"
        return f"{what} failed:\n" + "\n".join(unseen)


def engine_errors(error_text: str) -> list[str]:
    """The distinct ``error:`` messages in the standard error part of a ``CommandError``,
    each with its continuation lines, without Pulumi's repeating prefixes."""
    _, _, stderr = error_text.partition(STDERR_MARK)
    errors: list[str] = []
    current: list[str] | None = None
    for line in stderr.splitlines():
        if line.startswith(ERROR_PREFIX):
            current = [_without_repeat(line.removeprefix(ERROR_PREFIX))]
            errors.append("")
        elif current is not None and line.strip():
            current.append(line.strip())
        else:
            continue
        errors[-1] = "\n  ".join(current)
    if not errors and stderr.strip():
        errors.append(stderr.strip())
    return list(dict.fromkeys(errors))


def _without_repeat(message: str) -> str:
    for prefix in REPEAT_PREFIXES:
        message = message.removeprefix(prefix)
    return message
