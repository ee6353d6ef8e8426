"""The ``drill`` and ``monitoring`` sections: defaults, probes, and path-named errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tappaas.model import AgentProbe, ExecProbe, HttpProbe, TcpProbe
from tests.model.sites import issues_of, load, small_site

HELPER = {"vmid": 120, "node": "tappaas1"}


def with_drill(**drill: Any) -> dict[str, Any]:
    raw = small_site()
    raw["drill"] = drill
    return raw


def test_defaults_drill_with_nics_unplugged_and_the_agent_as_probe() -> None:
    site = load(small_site())
    drill = site.drill
    assert (drill.bridge, drill.first_vmid, drill.last_vmid) == (None, 9900, 9999)
    assert drill.live_restore and drill.concurrency == 1
    assert (drill.interval, drill.timeout) == (timedelta(days=7), timedelta(minutes=30))
    assert drill.probes_for("web") == (AgentProbe(agent=True),)
    assert drill.peer_storage == "tappaas-dr"
    assert site.monitoring.offsite_max_age == timedelta(days=2)


def test_probes_of_every_kind() -> None:
    site = load(
        with_drill(
            bridge="vmbr99",
            vlan=999,
            probe_helper=HELPER,
            interval="2w",
            probes={
                "web": [
                    {"agent": True},
                    {"exec": ["systemctl", "is-active", "nginx"]},
                    {"tcp": 443},
                    {"http": "/health", "port": 8080, "status": 204},
                ],
                "db": [],
            },
        )
    )
    assert site.drill.probes_for("web") == (
        AgentProbe(agent=True),
        ExecProbe(exec=("systemctl", "is-active", "nginx")),
        TcpProbe(tcp=443),
        HttpProbe(http="/health", port=8080, status=204),
    )
    assert site.drill.probes_for("db") == ()
    assert site.drill.interval == timedelta(days=14)


@pytest.mark.parametrize(
    ("drill", "path", "message"),
    [
        ({"first_vmid": 100, "last_vmid": 200}, "drill.first_vmid", "services.web.vmid 100"),
        ({"first_vmid": 9999, "last_vmid": 9900}, "drill.last_vmid", "below drill.first_vmid"),
        ({"vlan": 5}, "drill.vlan", "needs drill.bridge"),
        ({"probes": {"wbe": []}}, "drill.probes.wbe", "'wbe' is not a declared service"),
        ({"probes": {"web": [{"ping": 1}]}}, "drill.probes.web[0]", "a probe is one of"),
        ({"probes": {"web": [{"exec": []}]}}, "drill.probes.web[0].exec", "at least 1 item"),
        ({"probes": {"web": [{"agent": False}]}}, "drill.probes.web[0].agent", "True"),
        ({"probes": {"web": [{"tcp": 70000}]}}, "drill.probes.web[0].tcp", "65535"),
        (
            {"bridge": "vmbr99", "probes": {"web": [{"tcp": 22}]}},
            "drill.probes.web[0]",
            "run from drill.probe_helper",
        ),
        (
            {"probe_helper": HELPER, "probes": {"web": [{"http": "/"}]}},
            "drill.probes.web[0]",
            "set drill.bridge",
        ),
        ({"probe_helper": {"vmid": 9950, "node": "tappaas1"}}, "drill.probe_helper.vmid", "inside"),
        ({"probe_helper": {"vmid": 120, "node": "nowhere"}}, "drill.probe_helper.node", "nowhere"),
        ({"concurrency": 0}, "drill.concurrency", "greater than or equal to 1"),
        ({"interval": "weekly"}, "drill.interval", "is not a duration"),
        ({"bridge": "vmbr 99"}, "drill.bridge", "a Linux bridge name"),
        ({"colour": "red"}, "drill.colour", "Extra inputs are not permitted"),
    ],
)
def test_invalid_drill_settings_name_their_path(drill: Any, path: str, message: str) -> None:
    issues = issues_of(with_drill(**drill))
    assert any(p == path and message in m for p, m in issues), issues


def test_usage_thresholds_must_be_ordered() -> None:
    raw = small_site()
    raw["monitoring"] = {"usage_warn_percent": 95, "usage_crit_percent": 90}
    assert issues_of(raw) == [
        ("monitoring.usage_warn_percent", "95 is not below usage_crit_percent 90")
    ]
