"""PBS behaviours over time: prune, garbage collection, verify, sync, and who may do what."""
