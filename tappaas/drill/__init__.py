"""Restore drills (``tappaas drill``): restore, start, probe, measure RTO/RPO, delete.

Public API::

    from tappaas.drill import Drill, DrillOptions, DrillArchive

``Drill(site, connect, options, sleep=…).run(services) -> DrillRun`` (``tappaas.health``);
``DrillArchive(directory, stack)`` keeps the history and reports. Drill VMs carry the tag
``DRILL_TAG`` and a vmid of ``drill``'s reserved range; nothing else is ever deleted.
"""

from tappaas.drill.cleanup import DRILL_TAG, all_vms, find_leftovers, is_drill_vm
from tappaas.drill.history import DEFAULT_DIR, DrillArchive, HistoryError
from tappaas.drill.runner import Drill, DrillOptions, source_storage

__all__ = [
    "DEFAULT_DIR",
    "DRILL_TAG",
    "Drill",
    "DrillArchive",
    "DrillOptions",
    "HistoryError",
    "all_vms",
    "find_leftovers",
    "is_drill_vm",
    "source_storage",
]
