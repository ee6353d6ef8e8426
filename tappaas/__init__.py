"""TAPPaaS backup, disaster recovery and high availability, as a Pulumi program.

Layers, one way: ``cli`` → ``automation`` → ``program`` → ``components`` → ``providers``
(top-level package) → ``pbs``/``pve`` operations → ``client`` (HTTP, TLS, tasks, retries).
``cli`` → ``internet`` (the internet-failure drill: DNS probes) → ``opnsense`` (read-only API)
→ ``client``'s TLS pinning. ``model``, ``policy``, ``schedule`` and ``rental`` (the host a
cloud recovery rents, as data and text) are pure and sit beside them. ``lab`` is a separate
world (a stand-in Proxmox) that the product never imports.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
