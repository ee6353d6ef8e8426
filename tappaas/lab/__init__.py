"""The TAPPaaS lab: a stand-in for Proxmox VE and Proxmox Backup Server on loopback HTTPS.

A separate world: the product never imports it. ``Lab.start(LabConfig(...))`` serves a PVE
cluster and PBS instances, validated against the official API schemas; ``lab.control`` seeds
VMs and snapshots, takes nodes down and injects faults. See ``README.md`` here.
"""

from tappaas.lab.config import LabConfig
from tappaas.lab.control.request_log import RequestRecord
from tappaas.lab.control.surface import Control, LabError
from tappaas.lab.endpoint import Endpoint
from tappaas.lab.lab import Lab

__all__ = ["Control", "Endpoint", "Lab", "LabConfig", "LabError", "RequestRecord"]
