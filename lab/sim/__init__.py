"""The lab over time: a clock, an event-driven scheduler, and the behaviours wired to the state.

- ``clock``: real or simulated time, pinned to UTC; ``engine``: runs every scheduled
  activity in time order up to a moment; ``activities``: what there is to schedule;
  ``world``: what activities, handlers and the control surface share; ``journal``: what
  happened; ``content``: guests' disks as chunks; ``schedule``: calendar events.
- ``pbs``: prune, GC, verify and sync jobs, who may do what in a datastore.
- ``pve``: vzdump, replication, HA, node power, migration, disks.

Each applies a pure algorithm of ``lab.behaviour`` to the lab's state, as Proxmox
would over time.
"""
