"""The TAPPaaS lab: a stand-in for Proxmox VE and Proxmox Backup Server on loopback HTTPS.

A separate world: the product never imports it. ``Lab.start(LabConfig(...))`` serves a PVE
cluster and PBS instances, validated against the official API schemas, that behave over
time as Proxmox does (vzdump, prune, sync, verify, GC, replication, HA) on a real or
simulated clock; ``lab.control`` seeds VMs and snapshots, moves the clock (``advance``,
``run_until``, ``run_job``), takes nodes down and injects faults. ``lab.scenarios``
plays the issue's scenarios on labs configured like a real site. See ``README.md`` here.
"""

from lab.config import LabConfig
from lab.control.request_log import RequestRecord
from lab.control.surface import Control, LabError
from lab.endpoint import Endpoint
from lab.lab import Lab

__all__ = ["Control", "Endpoint", "Lab", "LabConfig", "LabError", "RequestRecord"]
