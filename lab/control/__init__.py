"""What tests and demos control: seeding, node state, faults, the request log."""
