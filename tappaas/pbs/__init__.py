"""Typed operations on the Proxmox Backup Server API, one module per API area."""
