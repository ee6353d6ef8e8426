"""PBS namespaces (``/admin/datastore/{store}/namespace``): no update exists, only create/delete.

A namespace is addressed by its full path (``site-a/prod``), at most 7 levels deep. Deleting
one that still holds backup groups is refused (``delete-groups`` stays 0): data is sacred.
"""

from __future__ import annotations

from tappaas.client import NotFoundError, ProxmoxClient

MAX_DEPTH = 7


def split_namespace(path: str) -> tuple[str | None, str]:
    """``a/b/c`` → (``a/b``, ``c``); a top-level ``a`` → (None, ``a``)."""
    parent, _, name = path.strip("/").rpartition("/")
    return (parent or None), name


class NamespaceApi:
    """Typed operations on the namespaces of one datastore."""

    def __init__(self, client: ProxmoxClient, store: str) -> None:
        self.client = client
        self.path = f"/admin/datastore/{store}/namespace"

    def exists(self, namespace: str) -> bool:
        """Listed under its parent; a missing parent (PBS: "namespace 'a' does not exist")
        means it is missing too."""
        parent, _ = split_namespace(namespace)
        try:
            items = self.client.get(self.path, parent=parent, **{"max-depth": 1}) or []
        except NotFoundError:
            return False
        return any(str(item.get("ns", "")).strip("/") == namespace.strip("/") for item in items)

    def create(self, namespace: str) -> None:
        parent, name = split_namespace(namespace)
        self.client.post(self.path, name=name, parent=parent)

    def delete(self, namespace: str) -> None:
        self.client.delete(self.path, ns=namespace, **{"delete-groups": False})
