"""Python dynamic providers for what the upstream proxmoxve provider lacks: PBS and VM restore.

Each module holds one resource: a frozen props model, a ``ResourceProvider`` whose entry
points parse props into that model, and the ``Resource`` class components instantiate.
Providers call the typed operations in ``tappaas.pbs`` / ``tappaas.pve``, never proxmoxer.
"""
