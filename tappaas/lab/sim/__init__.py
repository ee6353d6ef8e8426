"""The lab over time: a clock, an event-driven scheduler, and the behaviours wired to the state.

``clock``: real or simulated time, pinned to UTC. ``engine``: runs every scheduled activity
(vzdump, PBS prune/sync/verify/GC, replication, HA rounds) in time order up to a moment.
``world``: what activities and handlers share. ``pbs``/``pve``: each behaviour of
``tappaas.lab.behaviour`` applied to the lab's state, as Proxmox would do it over time.
"""
