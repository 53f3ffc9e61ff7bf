"""requirements.lock (what `make run` and `make test` install) agrees with pyproject.toml: every
dependency, the dev extras included, is pinned to one version that pyproject.toml allows."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;#]+)")


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def unpinned(pyproject: dict, locked: dict[str, str]) -> list[str]:
    project = pyproject["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    problems = []
    for spec in wanted:
        requirement = Requirement(spec)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} does not satisfy {requirement.specifier}")
    return problems


@pytest.mark.no_app
def test_the_lock_pins_every_dependency_within_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    problems = unpinned(pyproject, pins((ROOT / "requirements.lock").read_text(encoding="utf-8")))
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


@pytest.mark.no_app
def test_a_stale_lock_is_noticed():
    pyproject = {"project": {"dependencies": ["flask>=3.1,<4", "newthing>=1"],
                             "optional-dependencies": {"dev": ["pytest>=8"]}}}
    locked = pins("flask==3.0.3\n    # via x\npytest==8.4.1 ; python_version >= '3.11'\n")
    assert unpinned(pyproject, locked) == ["flask==3.0.3 does not satisfy <4,>=3.1",
                                           "newthing is not in requirements.lock"]
