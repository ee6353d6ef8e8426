"""PBS parameter verification mirrors proxmox-schema's parse_parameter_strings."""

from __future__ import annotations

import pytest

from lab.schema.pbs_check import PbsParameterError, PbsSchemaChecker

CHECK = PbsSchemaChecker().check
ID = {
    "type": "string",
    "minLength": 3,
    "maxLength": 32,
    "pattern": "/^(?:[A-Za-z0-9_][A-Za-z0-9._\\-]*)$/",
}
SCHEMA = {
    "additionalProperties": False,
    "properties": {
        "id": ID,
        "remove-vanished": {"type": "boolean", "optional": 1},
        "max-depth": {"type": "integer", "minimum": 0, "maximum": 7, "optional": 1},
        "comment": {"type": "string", "optional": 1, "pattern": "/^[[:^cntrl:]]*$/"},
        "schedule": {"type": "string", "optional": 1, "typetext": "<calendar-event>"},
        "group-filter": {
            "type": "array",
            "optional": 1,
            "items": {
                "type": "string",
                "typetext": "[<exclude:|include:>]<type:<vm|ct|host>|group:GROUP|regex:RE>",
            },
        },
        "delete": {
            "type": "array",
            "optional": 1,
            "items": {"type": "string", "enum": ["comment", "schedule"]},
        },
    },
}


def message(pairs: list[tuple[str, str]]) -> str:
    with pytest.raises(PbsParameterError) as caught:
        CHECK(pairs, SCHEMA)
    assert caught.value.status == 400
    return caught.value.message


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", True),
        ("TRUE", True),
        ("yes", True),
        ("on", True),
        ("0", False),
        ("off", False),
        ("No", False),
    ],
)
def test_booleans_accept_every_spelling(text, value):
    assert CHECK([("id", "job1"), ("remove-vanished", text)], SCHEMA)["remove-vanished"] is value


def test_single_error_wording():
    assert message([("id", "job1"), ("remove-vanished", "maybe")]) == (
        "parameter verification failed - 'remove-vanished': Unable to parse boolean option."
    )
    assert (
        message([("id", "x")])
        == "parameter verification failed - 'id': value must be at least 3 characters long"
    )
    assert (
        message([("id", "job 1")])
        == "parameter verification failed - 'id': value does not match the regex pattern"
    )


def test_several_errors_are_listed():
    text = message([("id", "job1"), ("max-depth", "9"), ("bogus", "1")])
    assert text.startswith("parameter verification failed:\n")
    assert "- 'max-depth': value must have a maximum value of 7 (got 9)" in text
    assert "- 'bogus': schema does not allow additional properties." in text


def test_required_and_duplicates():
    assert (
        message([])
        == "parameter verification failed - 'id': parameter is missing and it is not optional."
    )
    assert (
        message([("id", "job1"), ("id", "job2")])
        == "parameter verification failed - 'id': duplicate parameter."
    )
    assert message([("id", "job1"), ("max-depth", "x")]).endswith("invalid digit found in string")


def test_arrays_repeat_and_check_items():
    typed = CHECK(
        [("id", "job1"), ("group-filter", "type:vm"), ("group-filter", "exclude:group:vm/100")],
        SCHEMA,
    )
    assert typed["group-filter"] == ["type:vm", "exclude:group:vm/100"]
    assert message([("id", "job1"), ("delete", "owner")]) == (
        "parameter verification failed - 'delete': value 'owner' is not defined in the enumeration."
    )
    assert "invalid group filter" in message([("id", "job1"), ("group-filter", "vm/100")])


def test_posix_classes_and_rust_end_anchor():
    assert CHECK([("id", "job1"), ("comment", "fine text")], SCHEMA)
    assert "regex" in message([("id", "job1"), ("comment", "bad\x07bell")])
    assert "regex" in message([("id", "job1\n")])


def test_schedules_are_calendar_events():
    assert CHECK([("id", "job1"), ("schedule", "daily")], SCHEMA)["schedule"] == "daily"
    assert message([("id", "job1"), ("schedule", "whenever")]).startswith(
        "parameter verification failed - 'schedule':"
    )
