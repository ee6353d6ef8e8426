"""The program: config and policy errors stop it before any resource; exports summarize."""

from __future__ import annotations

import copy

import pulumi
import pytest

from tappaas import program
from tappaas.model import load_site_config
from tappaas.policy import protection_report, summarize
from tests.program.mocks import Mocks, Recorder, set_config, stack_config


@pytest.fixture
def recorder() -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=True)
    return recorder


def test_a_policy_error_stops_the_program_with_the_findings(recorder: Recorder) -> None:
    site = copy.deepcopy(stack_config("prod"))
    del site["remote"]  # no off-site copy: 3-2-1 broken for every important service
    set_config(site)
    with pytest.raises(program.PolicyError) as stopped:
        program.main()
    text = str(stopped.value)
    assert "[321-offsite] services.nextcloud" in text
    assert "[321-offsite] services.vaultwarden" in text
    assert recorder.created == []


def test_a_config_error_names_every_path(recorder: Recorder) -> None:
    site = copy.deepcopy(stack_config("prod"))
    site["services"]["nextcloud"]["ha"] = {"failover_node": "tappaas9"}
    site["services"]["hass"]["vmid"] = 110  # the firewall's
    set_config(site)
    with pytest.raises(program.PolicyError) as stopped:
        program.main()
    text = str(stopped.value)
    assert "services.nextcloud.ha.failover_node: 'tappaas9' is not a declared node" in text
    assert "services.hass.vmid" in text


def test_the_prod_stack_builds_and_summarizes_every_service(recorder: Recorder) -> None:
    @pulumi.runtime.test
    def run() -> None:
        set_config(stack_config("prod"))
        program.main()

    run()  # returns once every registration has reached the mock engine
    created = {name for _type, name in recorder.created}
    assert {"datastore", "retention", "peer-reader-token", "nextcloud-ha"} <= created
    lines = summarize(protection_report(load_site_config(stack_config("prod"))))
    assert set(lines) == {"firewall", "tappaas-cicd", "identity", "logging", "hass",
                          "nextcloud", "vaultwarden"}  # fmt: skip
    assert lines["nextcloud"].startswith("5 copies (live disk, zfs replica, local pbs,")
    assert "1 off-site, 3-2-1 met" in lines["nextcloud"]
    assert "RPO node failure 15min" in lines["nextcloud"]
