"""PVE HA (pve-ha-manager) as the CRM and LRM run it, in pure steps the lab's clock calls.

- ``resources``: HA resources, node-affinity rules, the CRM's per-service status.
- ``placement``: choosing a node (recovery, failback, maintenance) and the moves that follow.
- ``fencing``: when a lost node is fenced and its services recovered.
- ``lifecycle``: fencing and recovering services, starting them with restart/relocate limits,
  shutdown policies.
- ``status``: the entries of ``GET /cluster/ha/status/current``.

Resource-affinity rules (keep services together or apart) and the static/dynamic CRS
schedulers are not modelled: placement uses node affinity and the basic score (number of HA
services per node).
"""
