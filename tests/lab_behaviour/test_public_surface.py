"""Each behaviour module exports exactly its public names (httpx-style surface pin)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import lab.behaviour as behaviour


def behaviour_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(behaviour.__path__, f"{behaviour.__name__}.")
        if not info.ispkg
    ]


@pytest.mark.parametrize("name", behaviour_modules())
def test_all_lists_exactly_the_public_definitions(name):
    module = importlib.import_module(name)
    defined = {
        attribute
        for attribute, value in vars(module).items()
        if not attribute.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == name
    }
    exported = set(module.__all__)
    assert defined <= exported, f"public but not exported: {defined - exported}"
    assert all(hasattr(module, attribute) for attribute in exported)
