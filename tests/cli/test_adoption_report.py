"""``tappaas import live``'s report: every section, at 80 columns, and what it tells to do."""

from __future__ import annotations

from collections import Counter

from tappaas.automation.adoption import AdoptionReport, FieldDifference, Survey, Verdict
from tappaas.cli.adoption import format_adoption, format_first_up

RULE = "proxmoxve:index/harule:Harule"
POOL = "proxmoxve:node/disk/zfs:Zfs"
JOB = "pulumi-python:dynamic/pve:BackupJob"
BASE = "urn:pulumi:prod::tappaas::tappaas:index:Site$tappaas:index:Availability$"


def _survey(kind: str, name: str, verdict: Verdict, **fields: object) -> Survey:
    return Survey(urn=f"{BASE}{kind}::{name}", type=kind, verdict=verdict, **fields)


def test_a_plan_lists_what_is_adopted_with_its_differences_and_the_first_up() -> None:
    report = AdoptionReport(
        "prod",
        applied=False,
        adopted=[
            _survey(
                JOB,
                "daily",
                Verdict.ADOPT,
                object_id="backup-5f3c2a1e-9b7d",
                differences=(FieldDifference("schedule", "21:00", "02:00"),),
            ),
            _survey(
                POOL,
                "tanka1-tappaas1",
                Verdict.ADOPT,
                object_id="tappaas1/tanka1",
                holds_data=True,
                notes=("a pool is never re-created",),
            ),
        ],
        remaining=[_survey(RULE, "web-affinity", Verdict.CREATE, object_id="tappaas-web")],
        rounds=2,
        first_up=Counter({"update": 12, "same": 30, "create": 1}),
    )
    text = format_adoption(report)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Adoption of stack prod: a plan: nothing changed (2 round(s))." in text
    assert "To adopt (2)" in text and "To create (1)" in text
    assert "  tanka1-tappaas1 (Zfs, holds data: never replaced)\n    id tappaas1/tanka1" in text
    assert "    schedule: live '21:00', declared '02:00'" in text
    assert "The first up, after the adoption: 12 update, 30 same, 1 create." in text
    assert text.endswith("Run `tappaas import live prod --yes` to adopt.")


def test_anything_in_the_way_stops_the_adoption_and_says_what_to_do() -> None:
    note = (
        "node-affinity rule 'ha-web' already holds vm:100 (PVE allows one): take it over "
        "with services.web.ha.rule: ha-web, or remove it first (ha-manager rules remove ha-web)"
    )
    report = AdoptionReport(
        "prod",
        applied=False,
        remaining=[
            _survey(
                RULE, "web-affinity", Verdict.IN_THE_WAY, object_id="tappaas-web", notes=(note,)
            ),
        ],
    )
    text = format_adoption(report)
    assert report.blocked and max(len(line) for line in text.splitlines()) <= 80
    assert "In the way (1): another object stands where up would create this one" in text
    assert "services.web.ha.rule: ha-web" in " ".join(text.split())
    assert text.endswith("Nothing adopted: deal with what is blocked or in the way first.")


def test_nothing_to_adopt_says_so() -> None:
    empty = format_adoption(AdoptionReport("prod", applied=False, rounds=1))
    assert empty.endswith(
        "Nothing to adopt: of what the stack declares, all are in its state already."
    )
    only_new = AdoptionReport(
        "prod", applied=False, remaining=[_survey(RULE, "r", Verdict.CREATE, object_id="r")]
    )
    assert "up creates the rest" in format_adoption(only_new)
    assert format_first_up(Counter()) == "nothing"
