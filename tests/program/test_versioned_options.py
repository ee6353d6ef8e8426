"""Issue 11.5: options newer than PBS 4.0 are sent only when they are on.

``run-on-mount`` (PBS 4.0.4) and ``unmount-on-done`` (4.0.20) are unknown to older PBS 4
releases, which refuse the whole sync job for an unknown property even when it is false.
"""

from __future__ import annotations

import pulumi

from tappaas.components.site import Site
from tappaas.model import load_site_config
from tests.program.mocks import Mocks, Recorder, set_config, stack_config


@pulumi.runtime.test
def test_a_personal_disk_without_run_on_mount_sends_neither_option() -> None:
    recorder = Recorder()
    pulumi.runtime.set_mocks(Mocks(recorder), project="tappaas", stack="test", preview=False)
    raw = stack_config("prod")
    raw["personal"] = {**raw["personal"], "run_on_mount": False}
    set_config(raw)
    Site(
        "site",
        load_site_config(raw),
        pulumi.ResourceOptions(transformations=[recorder.transformation]),
    )
    on_mount = recorder.named("on-mount").props
    assert on_mount["run_on_mount"] is None and on_mount["unmount_on_done"] is None
