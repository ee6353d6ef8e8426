"""Where drills are kept: a history file per stack, and each run's JSON and Markdown report.

``<dir>/<stack>/history.jsonl`` holds one ``ServiceDrill`` per line, appended by every run
(``tappaas drill --report`` and ``tappaas status`` read it); ``<dir>/<stack>/<drill id>.json``
and ``.md`` are the run's reports. The default directory is ``.drills`` in the project.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from tappaas.health import DrillRun, ServiceDrill

DEFAULT_DIR = Path(".drills")
HISTORY_FILE = "history.jsonl"


class HistoryError(ValueError):
    """The history file exists but cannot be read (named, with the line)."""


class DrillArchive:
    """The drills of one stack."""

    def __init__(self, directory: Path, stack: str) -> None:
        self.folder = directory / stack
        self.history_file = self.folder / HISTORY_FILE

    def load(self) -> list[ServiceDrill]:
        """Every recorded service drill (none when the file does not exist yet)."""
        if not self.history_file.exists():
            return []
        drills = []
        try:
            lines = self.history_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise HistoryError(f"{self.history_file}: {error}") from error
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                drills.append(ServiceDrill.model_validate_json(line))
            except ValidationError as error:
                raise HistoryError(f"{self.history_file}:{number}: not a drill record") from error
        return drills

    def record(self, run: DrillRun, markdown: str) -> tuple[Path, Path]:
        """Append the run to the history and write its reports; returns (json, md) paths."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.history_file.open("a", encoding="utf-8") as handle:
            for result in run.results:
                handle.write(result.model_dump_json() + "\n")
        report = self.folder / f"{run.drill_id}.json"
        report.write_text(json.dumps(run.model_dump(mode="json"), indent=2) + "\n")
        text = self.folder / f"{run.drill_id}.md"
        text.write_text(markdown, encoding="utf-8")
        return report, text
