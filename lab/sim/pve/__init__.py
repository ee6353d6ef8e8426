"""PVE behaviours over time: vzdump jobs, storage replication, HA, nodes and disks."""
