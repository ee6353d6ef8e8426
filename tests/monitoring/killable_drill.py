"""A drill in a process of its own, for the test that kills it mid-way (``kill -9``).

stdin: ``{"pve": <lab endpoint>, "drill": <drill section>}``; it drills nextcloud with the
wall clock until killed, printing ``started`` once its restore request is on its way.
"""

from __future__ import annotations

import json
import sys

from lab import Endpoint
from tappaas.drill import Drill, DrillOptions
from tests.monitoring.labs import client, site_with


def main() -> None:
    given = json.load(sys.stdin)
    endpoint = Endpoint.from_dict(given["pve"])
    site = site_with(given["drill"])
    drill = Drill(
        site,
        lambda: client(endpoint),
        DrillOptions(poll_seconds=0.2),
        on_event=lambda text: print(text, flush=True),
    )
    drill.run(["nextcloud"])


if __name__ == "__main__":
    main()
