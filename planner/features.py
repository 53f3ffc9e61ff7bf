"""Finds the feature sub-packages of ``planner``.

A feature is a sub-package; the app loads, when present, its ``models`` module (tables),
its ``views`` module (a Blueprint named ``bp``) and its ``demo`` module (demo data, see
``planner.demo``). Adding a feature therefore touches no shared file.
"""

import importlib
import pkgutil
from types import ModuleType

import planner


def feature_packages() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules(planner.__path__) if info.ispkg
    )


def modules(kind: str) -> list[ModuleType]:
    found = []
    for package in feature_packages():
        name = f"planner.{package}.{kind}"
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found.append(importlib.import_module(name))
    return found


def import_models() -> None:
    import planner.datastamp  # noqa: F401 - not feature packages, but they have a table
    import planner.once  # noqa: F401
    import planner.ratelimit  # noqa: F401

    modules("models")
