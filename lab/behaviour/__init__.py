"""How a Proxmox site behaves over time, as pure functions the lab's clock drives.

Each module ports one piece of PVE/PBS behaviour (facts and sources in
``../shared/notes/proxmox-behaviour.md``) over small typed dataclasses, so the lab's state can
be adapted to it in a few lines. Nothing here does I/O, reads a clock or imports the lab's
server; times are Unix seconds (UTC, as the lab pins it), like the Proxmox APIs.

- ``prune``: PBS ``compute_prune_info`` and PVE ``prune_mark_backup_group``.
- ``schedulers``: when PBS jobs, PVE jobs (vzdump) and storage replication run.
- ``vzdump``: which guests a backup job backs up per node, their names, notes and retention.
- ``snapshots``, ``group_filter``, ``namespaces``, ``sync``: what a PBS pull/push sync moves.
- ``verify``, ``disk_content``, ``chunk_store``: verify selection, chunks, GC, usage.
- ``replication``: PVE storage replication (pvesr) jobs, their state and direction.
- ``ha``: PVE HA placement, fencing timeline, lifecycle and status entries.
"""
