"""PVE parameter verification mirrors pve-common JSONSchema.pm, message for message."""

from __future__ import annotations

import pytest

from lab.errors import ParameterError
from lab.schema.pve_check import PveSchemaChecker, split_list

CHECK = PveSchemaChecker().check
SCHEMA = {
    "additionalProperties": 0,
    "properties": {
        "id": {
            "type": "string",
            "format": "pve-replication-job-id",
            "pattern": "[1-9][0-9]{2,8}-\\d{1,9}",
        },
        "target": {"type": "string", "format": "pve-node"},
        "disable": {"type": "boolean", "optional": 1},
        "rate": {"type": "number", "minimum": 1, "optional": 1},
        "schedule": {
            "type": "string",
            "format": "pve-calendar-event",
            "optional": 1,
            "maxLength": 128,
        },
        "mode": {"type": "string", "enum": ["snapshot", "stop"], "optional": 1},
        "unique": {"type": "boolean", "optional": 1, "requires": "archive"},
        "archive": {"type": "string", "optional": 1},
        "prune-backups": {"type": "string", "format": "prune-backups", "optional": 1},
        "scsi[n]": {
            "type": "string",
            "optional": 1,
            "description": "Use volume as SCSI hard disk (n is 0 to 30).",
            "format": {
                "file": {"type": "string", "default_key": 1},
                "size": {"type": "string", "optional": 1},
            },
        },
    },
}


def errors(params: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ParameterError) as caught:
        CHECK(params, SCHEMA)
    assert caught.value.status == 400
    assert caught.value.message == "Parameter verification failed.\n"
    return caught.value.errors


def test_a_valid_call_is_typed():
    typed = CHECK({"id": "100-0", "target": "tappaas2", "disable": "1", "rate": "2.5"}, SCHEMA)
    assert typed == {"id": "100-0", "target": "tappaas2", "disable": 1, "rate": 2.5}


@pytest.mark.parametrize("value", ["True", "true", "yes", "on", "2"])
def test_booleans_are_only_0_or_1(value):
    assert errors({"id": "100-0", "target": "n1", "disable": value}) == {
        "disable": f"type check ('boolean') failed - got '{value}'"
    }


def test_missing_unknown_and_range():
    assert errors({"rate": "0.5", "bogus": "1"}) == {
        "id": "property is missing and it is not optional",
        "target": "property is missing and it is not optional",
        "rate": "value must have a minimum value of 1",
        "bogus": "property is not defined in schema and the schema does not allow additional "
        "properties",
    }


def test_formats_and_patterns():
    assert errors({"id": "99-0", "target": "-bad-"}) == {
        "id": "invalid format - invalid replication job id '99-0' (guest IDs < 100 are reseved)\n",
        "target": "invalid format - value does not look like a valid node name\n",
    }
    assert errors({"id": "100-0\nx", "target": "n1"})["id"].startswith("invalid format")


def test_enum_and_requires():
    assert errors({"id": "100-0", "target": "n1", "mode": "suspend", "unique": "1"}) == {
        "mode": "value 'suspend' does not have a value in the enumeration 'snapshot, stop'",
        "archive": "missing property required by 'unique'",
    }


def test_calendar_events_are_checked():
    assert CHECK({"id": "100-0", "target": "n1", "schedule": "mon..fri 22:00"}, SCHEMA)["schedule"]
    assert errors({"id": "100-0", "target": "n1", "schedule": "every day"})["schedule"].startswith(
        "invalid format - invalid calendar event 'every day' - "
    )


def test_numbered_options_follow_the_described_range():
    assert CHECK({"id": "100-0", "target": "n1", "scsi30": "tanka:vm-100-disk-0,size=8G"}, SCHEMA)
    assert "scsi31" in errors({"id": "100-0", "target": "n1", "scsi31": "tanka:1"})


def test_property_strings():
    assert errors({"id": "100-0", "target": "n1", "scsi0": "tanka:1,speed=9"})["scsi0"] == (
        "invalid format - invalid key in comma-separated list property: speed\n"
    )
    assert CHECK(
        {"id": "100-0", "target": "n1", "prune-backups": "keep-daily=7,keep-yearly=100"}, SCHEMA
    )
    assert (
        errors({"id": "100-0", "target": "n1", "prune-backups": "keep-all=1,keep-daily=7"})[
            "prune-backups"
        ]
        == "invalid format - keep-all cannot be set together with other options.\n"
    )
    assert (
        "keep-daily: type check ('integer') failed - got 'x'"
        in errors({"id": "100-0", "target": "n1", "prune-backups": "keep-daily=x"})["prune-backups"]
    )


def test_split_list_reads_commas_spaces_and_nul():
    assert split_list("a,b; c") == ["a", "b", "c"]
    assert split_list("a,b\0c") == ["a,b", "c"]
