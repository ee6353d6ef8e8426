"""Routing by the schema tree: a request path to its template, path parameters and method.

Both products resolve a path segment by segment, a literal child before the one
``{placeholder}`` child, just like PVE's ``find_handler`` and PBS's router do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

JsonObject = Mapping[str, Any]


@dataclass(frozen=True)
class MethodSchema:
    """One verb on one path, as the schema file describes it."""

    method: str
    template: str
    parameters: JsonObject
    protected: bool = False
    allowtoken: bool = True
    permissions: JsonObject = field(default_factory=dict)

    @classmethod
    def from_info(cls, template: str, info: JsonObject) -> MethodSchema:
        """Build from an ``info`` entry of an apidoc tree node."""
        return cls(
            method=str(info.get("method", "")).upper(),
            template=template,
            parameters=info.get("parameters") or {},
            protected=bool(info.get("protected")),
            allowtoken=bool(info.get("allowtoken", 1)),
            permissions=info.get("permissions") or {},
        )


@dataclass
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    variable: tuple[str, _Node] | None = None
    methods: dict[str, MethodSchema] = field(default_factory=dict)
    template: str = "/"


@dataclass(frozen=True)
class Resolution:
    """Where a path landed: ``method`` is None if the path exists but not for that verb."""

    template: str
    uri_params: dict[str, str]
    method: MethodSchema | None


def split_template(path: str) -> list[str]:
    """Segments of a path or template, without empty ones."""
    return [part for part in path.split("/") if part]


class RouteTree:
    """All paths of one product's API."""

    def __init__(self) -> None:
        self._root = _Node()
        self.size = 0

    def add(self, schema: MethodSchema) -> None:
        """Register ``schema`` under its template."""
        node = self._root
        for segment in split_template(schema.template):
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                if node.variable is None:
                    node.variable = (name, _Node())
                node = node.variable[1]
            else:
                node = node.literal.setdefault(segment, _Node())
        node.template = schema.template
        if schema.method not in node.methods:
            self.size += 1
        node.methods[schema.method] = schema

    def resolve(self, method: str, segments: list[str]) -> Resolution | None:
        """The template and path parameters for decoded ``segments``; None if no such path."""
        node = self._root
        params: dict[str, str] = {}
        for segment in segments:
            child = node.literal.get(segment)
            if child is None:
                if node.variable is None:
                    return None
                name, child = node.variable
                params[name] = segment
            node = child
        return Resolution(node.template, params, node.methods.get(method))

    @classmethod
    def from_apidoc(cls, tree: Iterable[JsonObject]) -> RouteTree:
        """Build from the official apidoc tree (``[{path, info, children}, …]``)."""
        routes = cls()
        stack = list(tree)
        while stack:
            node = stack.pop()
            for verb, info in (node.get("info") or {}).items():
                routes.add(MethodSchema.from_info(str(node["path"]), {**info, "method": verb}))
            stack.extend(node.get("children") or [])
        return routes
