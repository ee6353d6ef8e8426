"""Scenarios over simulated time on a lab configured like a real site (``tappaas lab scenario``).

Public API::

    from lab.scenarios import SCENARIOS, run_scenario, start_site_lab, SiteLab

- ``start_site_lab(site, peer=None, *, start=…, clock="simulated") -> SiteLab``: a lab with
  the site's nodes, configured through the API as the program would (``site``).
- ``SCENARIOS[name].play(site_lab) -> ScenarioResult``; ``run_scenario(name, site, peer)``
  runs every variant on labs of its own and stops them.
- ``ScenarioResult``: ``timeline`` (journal entries), ``checks`` (``Check``), ``ok``.
- ``unmet_needs(name, site, peer)``: what a scenario needs that the stack files lack.
- ``with streaming(listener): run_scenario(…)``: follow the timeline and the simulated days
  as they play (``Listener``).
"""

from lab.scenarios.catalog import SCENARIOS, Scenario, run_scenario, unmet_needs
from lab.scenarios.result import Check, Listener, ScenarioResult, streaming
from lab.scenarios.site import SiteLab, configure, lab_config, start_site_lab

__all__ = [
    "SCENARIOS",
    "Check",
    "Listener",
    "Scenario",
    "ScenarioResult",
    "SiteLab",
    "configure",
    "lab_config",
    "run_scenario",
    "start_site_lab",
    "streaming",
    "unmet_needs",
]
