"""Which JSON files in the modules folder are modules, and which are something else.

A site's config folder (``/home/tappaas/config``) holds one ``<module>.json`` per installed
module, ``configuration.json``, and the backup module's peers (``remote-<name>.json``,
``external-<name>.json``); the TAPPaaS source tree also holds schemas, ``zones.json`` and
service templates (under ``services/``). Each is classified by its content, so nothing is
silently skipped: the import report lists every file it did not import, and why.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from tappaas.adopt.upstream import UpstreamFile

TEMPLATE_FOLDER = "services"
"""A module's service templates live in ``<module>/services/<service>/``."""
MODULE_KEYS = frozenset({"vmid", "vmname", "dependsOn", "provides"})


class Kind(StrEnum):
    """What a JSON file is to the import."""

    MODULE = "module"
    PULL_SOURCE = "pull source"
    PUSH_CLIENT = "push client"
    CONFIGURATION = "configuration"
    SCHEMA = "schema"
    TEMPLATE = "template"
    OTHER = "other"


SKIPPED_BECAUSE = {
    Kind.CONFIGURATION: "a site configuration (only --config is read)",
    Kind.SCHEMA: "a JSON schema, not a site's settings",
    Kind.TEMPLATE: "a service template of its module (copied into the config folder to use)",
    Kind.PUSH_CLIENT: (
        "an external client pushing into its own namespace: this program does not manage "
        "such clients; keep managing it with backup-manage.sh"
    ),
    Kind.OTHER: "not a module (no vmid, vmname, dependsOn or provides)",
}


def classify(file: UpstreamFile, folder: Path) -> Kind:
    """The kind of ``file`` (found under ``folder``), from its content and place."""
    data = file.data
    if "$schema" in data:
        return Kind.SCHEMA
    if "tappaas-nodes" in data:
        return Kind.CONFIGURATION
    if TEMPLATE_FOLDER in file.path.relative_to(folder).parts[:-1]:
        return Kind.TEMPLATE
    if data.get("type") == "tappaas" and "remoteHost" in data:
        return Kind.PULL_SOURCE
    if data.get("type") == "external":
        return Kind.PUSH_CLIENT
    if MODULE_KEYS & data.keys():
        return Kind.MODULE
    return Kind.OTHER
