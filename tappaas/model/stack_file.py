"""Reading ``Pulumi.<stack>.yaml`` the way Pulumi reads it, with answers instead of tracebacks.

Pulumi (Go, ``gopkg.in/yaml.v3``) refuses a mapping that gives a key twice ("mapping key
already defined at line N"), reads UTF-8 only and skips a UTF-8 byte-order mark; PyYAML would
silently keep the last duplicate, guess other encodings and recurse without bound. So the
document is composed first (libyaml when present: nesting is bounded there too), checked —
duplicates with both lines, nesting depth, size after YAML aliases, self-references — and
only then turned into Python values. Every refusal says what is wrong and where.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tappaas.model.errors import ConfigError, ConfigIssue, join_path

MAX_STACK_FILE_BYTES = 4 * 1024 * 1024
"""A 500-service site is about 50 KiB; anything near this limit is not a stack file."""
MAX_DEPTH = 32
"""Nesting levels allowed (a site config needs about 8)."""
MAX_VALUES = 250_000
"""Values after expanding YAML aliases (a 500-service site has about 6 000): refuses alias
bombs before anything walks them."""
SITE_PREFIX = ("config", "tappaas:site")
"""Paths under this prefix are reported relative to the site, like every config issue."""
_MERGE_TAG = "tag:yaml.org,2002:merge"
_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_stack_document(path: Path) -> Any:
    """The YAML document of a stack file, or ``ConfigError`` saying why it cannot be read."""
    where = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_STACK_FILE_BYTES + 1)
    except OSError as error:
        raise _refuse(where, f"cannot read stack file: {error.strerror or error}") from None
    if len(data) > MAX_STACK_FILE_BYTES:
        raise _refuse(
            where,
            f"the file is larger than {MAX_STACK_FILE_BYTES // (1024 * 1024)} MiB; "
            "a stack file is a few KiB (is this the right file?)",
        )
    return parse_stack_text(decode_utf8(data, where), where)


def decode_utf8(data: bytes, where: str) -> str:
    """The text of a stack file: UTF-8 only (a UTF-8 byte-order mark is skipped, as Pulumi
    does); UTF-16/32, other 8-bit encodings and binary data are refused by name."""
    for bom, name in _WIDE_BOMS.items():
        if data.startswith(bom):
            raise _refuse(where, f"{_saved_as(name)}; save it as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        if _looks_like_utf16(data):
            raise _refuse(
                where, f"{_saved_as('UTF-16')} (without a byte-order mark); save it as UTF-8"
            )
        raise _refuse(
            where,
            f"contains binary data (a NUL byte at {_position(data, offset)}); "
            "a stack file is YAML text",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise _refuse(
            where,
            f"is not UTF-8: byte 0x{byte:02X} at {_position(data, error.start)} is not valid "
            "UTF-8 (the file looks saved as Latin-1 or Windows-1252); save it as UTF-8",
        ) from None


def parse_stack_text(text: str, where: str = "<stack file>") -> Any:
    """The YAML document in ``text``, checked before any value is built (see module doc)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _Shape(where).check(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise _refuse(where, _yaml_problem(error)) from None
    except yaml.YAMLError as error:
        raise _refuse(where, f"not a YAML stack file: {error}") from None
    except RecursionError:  # PyYAML without libyaml composes recursively
        raise _refuse(
            where, f"nested too deep (more than {MAX_DEPTH} levels are refused)"
        ) from None
    finally:
        loader.dispose()


@dataclass
class _Shape:
    """Walks a composed document once per node (aliases counted as expanded, not walked)."""

    where: str
    issues: list[ConfigIssue] = field(default_factory=list)
    _sizes: dict[int, int] = field(default_factory=dict)
    _open: set[int] = field(default_factory=set)

    def check(self, root: Node) -> None:
        self._size(root, (), 1)
        if self.issues:
            raise ConfigError(sorted(self.issues, key=lambda issue: issue.path))

    def _size(self, node: Node, path: tuple[str | int, ...], depth: int) -> int:
        line = node.start_mark.line + 1
        if id(node) in self._open:
            raise _refuse(_path(path), f"refers to itself (a recursive YAML alias) at line {line}")
        if depth > MAX_DEPTH:
            raise _refuse(
                _path(path),
                f"nested more than {MAX_DEPTH} levels deep (line {line}); a site config "
                "needs about 8",
            )
        if id(node) in self._sizes:
            return self._sizes[id(node)]
        self._open.add(id(node))
        size = 1
        if isinstance(node, MappingNode):
            size += self._mapping(node, path, depth)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                size += self._size(item, (*path, index), depth + 1)
        self._open.discard(id(node))
        self._sizes[id(node)] = size
        if size > MAX_VALUES:
            raise _refuse(
                self.where,
                f"expands to more than {MAX_VALUES} values (YAML aliases repeated many "
                "times?); a site config has a few thousand",
            )
        return size

    def _mapping(self, node: MappingNode, path: tuple[str | int, ...], depth: int) -> int:
        size = 0
        first_at: dict[tuple[str, str], tuple[int, int]] = {}
        for key, value in node.value:
            name: str | None = None
            if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
                name = str(key.value)
                at = (key.start_mark.line + 1, key.start_mark.column + 1)
                earlier = first_at.setdefault((key.tag, name), at)
                if earlier != at:
                    self.issues.append(
                        ConfigIssue(
                            _path((*path, name)),
                            f"given twice in one mapping, {_both_places(earlier, at)}: "
                            "YAML allows a key once (Pulumi refuses this file); keep one",
                        )
                    )
            size += self._size(key, path, depth + 1)
            size += self._size(value, (*path, name) if name is not None else path, depth + 1)
        return size


def _both_places(first: tuple[int, int], second: tuple[int, int]) -> str:
    """``at line 3 and line 4``, or ``on line 3 (columns 10 and 16)`` in a flow mapping."""
    if first[0] == second[0]:
        return f"on line {first[0]} (columns {first[1]} and {second[1]})"
    return f"at line {first[0]} and line {second[0]}"


def _path(parts: tuple[str | int, ...]) -> str:
    """``services.web.vmid`` under the site's key; the full path elsewhere."""
    if parts[: len(SITE_PREFIX)] == SITE_PREFIX:
        return join_path(*parts[len(SITE_PREFIX) :])
    return ".".join(str(part) for part in parts) or "(file)"


def _refuse(path: str, message: str) -> ConfigError:
    return ConfigError([ConfigIssue(path, message)])


def _saved_as(encoding: str) -> str:
    return f"the file is {encoding} (as some Windows editors save it), but Pulumi reads UTF-8"


def _looks_like_utf16(data: bytes) -> bool:
    """ASCII text saved as UTF-16 has a NUL in every other byte."""
    sample = data[:512]
    return sample.count(0) * 3 >= len(sample)


def _position(data: bytes, offset: int) -> str:
    """``line 3, column 14`` of a byte offset (columns count bytes, from 1)."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """A YAML syntax error as one line: what, and where."""
    mark = error.problem_mark or error.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = error.problem or "invalid YAML"
    if "maximum nesting depth" in problem:
        problem = f"nested too deep (more than {MAX_DEPTH} levels are refused)"
    context = f" ({error.context})" if error.context else ""
    return f"YAML syntax error{where}: {problem}{context}"
