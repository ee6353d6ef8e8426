"""Stack files are read the way Pulumi reads them: UTF-8, each key once, bounded, finite."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import yaml

from tappaas.model import ConfigError, load_stack_file, stack_file
from tappaas.model.stack_file import MAX_DEPTH, MAX_STACK_FILE_BYTES, MAX_VALUES
from tests.model.sites import REPO, small_site

PROD = (REPO / "Pulumi.prod.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    return [(issue.path, issue.message) for issue in caught.value.issues]


def site_text(**changes: object) -> str:
    site = small_site()
    site.update(changes)
    return yaml.safe_dump({"config": {"tappaas:site": site}}, sort_keys=False)


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path) -> None:
    """Pulumi (yaml.v3) says 'mapping key "vmid" already defined at line N'."""
    text = PROD.replace("        vmid: 110\n", "        vmid: 110\n        vmid: 111\n")
    path = write(tmp_path, text)
    first = text.splitlines().index("        vmid: 110") + 1
    assert problems(path) == [
        (
            "services.firewall.vmid",
            f"given twice in one mapping, at line {first} and line {first + 1}: YAML allows a "
            "key once (Pulumi refuses this file); keep one",
        )
    ]


def test_a_key_given_twice_on_one_line_is_refused_too(tmp_path) -> None:
    """A flow mapping puts both on one line; yaml.v3 refuses it all the same."""
    text = PROD.replace("        vmid: 110\n", "        vmid: 110\n        tags: {a: 1, a: 2}\n")
    path = write(tmp_path, text)
    line = text.splitlines().index("        tags: {a: 1, a: 2}") + 1
    assert (
        "services.firewall.tags.a",
        f"given twice in one mapping, on line {line} (columns 16 and 22): YAML allows a key "
        "once (Pulumi refuses this file); keep one",
    ) in problems(path)


def test_a_second_services_block_is_refused(tmp_path) -> None:
    text = PROD.replace(
        "    backup:\n      pbs:",
        "    services:\n      extra: {vmid: 999}\n    backup:\n      pbs:",
    )
    [(path, message)] = problems(write(tmp_path, text))
    assert path == "services"
    assert "given twice in one mapping" in message


def test_duplicates_outside_the_site_name_their_full_path(tmp_path) -> None:
    text = "config:\n  a: 1\nconfig:\n  b: 2\n"
    assert problems(write(tmp_path, text))[0][0] == "config"


def test_a_utf8_byte_order_mark_is_fine(tmp_path) -> None:
    assert load_stack_file(write(tmp_path, codecs.BOM_UTF8 + PROD.encode())).name == "home"


@pytest.mark.parametrize(
    ("encoding", "fragment"),
    [
        ("utf-16", "the file is UTF-16 (as some Windows editors save it), but Pulumi reads UTF-8"),
        ("utf-16-le", "UTF-16 (as some Windows editors save it), but Pulumi reads UTF-8 (without"),
        ("utf-32", "the file is UTF-32"),
        ("latin-1", "is not UTF-8: byte 0xE9 at line 3, column"),
    ],
)
def test_other_encodings_are_named(tmp_path, encoding: str, fragment: str) -> None:
    text = "config:\n  tappaas:site:\n    name: café\n"
    [(_, message)] = problems(write(tmp_path, text.encode(encoding)))
    assert fragment in message
    assert message.endswith("save it as UTF-8")


def test_binary_data_is_refused(tmp_path) -> None:
    [(_, message)] = problems(write(tmp_path, b"config:\n  x: \x00\x01\x02\xff binary"))
    assert message == (
        "contains binary data (a NUL byte at line 2, column 6); a stack file is YAML text"
    )


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 5000 + "]" * 5000,
        "\n" + "".join(f"{'  ' * i}a:\n" for i in range(2, 1200)) + "  " * 1200 + "1\n",
        "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
    ],
    ids=["flow-5000", "block-1200", "flow-just-too-deep"],
)
def test_deep_nesting_is_refused(tmp_path, nested: str) -> None:
    path = write(tmp_path, "config:\n  deep: " + nested + "\n")
    [(_, message)] = problems(path)
    assert "nested" in message and "deep" in message


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    [(_, message)] = problems(write(tmp_path, "\n".join(lines) + "\n"))
    assert f"expands to more than {MAX_VALUES} values" in message


def test_a_recursive_alias_is_refused(tmp_path) -> None:
    [(path, message)] = problems(write(tmp_path, "config: &loop\n  again: *loop\n"))
    assert "refers to itself" in message and path == "config.again"


def test_a_huge_file_is_refused_unread(tmp_path) -> None:
    path = write(tmp_path, b"#" * (MAX_STACK_FILE_BYTES + 1))
    [(_, message)] = problems(path)
    assert "larger than 4 MiB" in message


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN"])
@pytest.mark.parametrize(
    ("where", "path"),
    [
        ("services:\n      web:\n        vmid: {v}", "services.web.vmid"),
        ("services:\n      web:\n        vmid: 200\n        replication: {{rate_limit_mbps: {v}}}",
         "services.web.replication.rate_limit_mbps"),
        ("backup:\n      retention: {{keep_daily: {v}}}", "backup.retention.keep_daily"),
        ("recovery: {{vlan: {v}}}", "recovery.vlan"),
    ],
)  # fmt: skip
def test_non_finite_numbers_are_refused(tmp_path, value: str, where: str, path: str) -> None:
    site = small_site()
    text = yaml.safe_dump({"config": {"tappaas:site": site}}, sort_keys=False)
    document = yaml.safe_load(text)
    patch = yaml.safe_load(where.format(v=value).replace("\n    ", "\n"))
    for key, section in patch.items():
        target = document["config"]["tappaas:site"].setdefault(key, {})
        for inner, inner_value in section.items():
            if isinstance(inner_value, dict) and isinstance(target.get(inner), dict):
                target[inner].update(inner_value)
            else:
                target[inner] = inner_value
    found = problems(write(tmp_path, yaml.safe_dump(document)))
    assert (path, "Input should be a finite number") in found


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "a: " + "[" * 5000 + "]" * 5000 + "\n"])
def test_the_pure_python_parser_refuses_the_same(monkeypatch, tmp_path, text: str) -> None:
    """Without libyaml (``CSafeLoader``), PyYAML's own parser gets the same answers."""
    monkeypatch.setattr(stack_file, "_Loader", yaml.SafeLoader)
    [(_, message)] = problems(write(tmp_path, text))
    assert "given twice" in message or "nested too deep" in message
