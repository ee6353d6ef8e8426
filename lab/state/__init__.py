"""The explicit, typed state of the lab: PVE cluster, PBS servers, access, tasks."""
