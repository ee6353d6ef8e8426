"""Typed operations on the Proxmox VE API that the upstream provider does not cover."""
