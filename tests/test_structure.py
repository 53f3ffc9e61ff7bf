"""The shape of the code: which feature may import which (the map in docs/DEVELOPING.md), no import
cycles, and the registries (project tabs, top navigation) without two entries on one place."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLANNER = ROOT / "planner"
MAP_HEADER = "feature       may import"


def feature_map() -> dict[str, set[str]]:
    """The allowed dependencies, declared once: the text block of docs/DEVELOPING.md."""
    text = (ROOT / "docs" / "DEVELOPING.md").read_text(encoding="utf-8")
    block = text.split(MAP_HEADER, 1)[1].split("```", 1)[0]
    found = {}
    for line in block.strip().splitlines():
        name, *allowed = line.split()
        found[name] = {a for a in allowed if a != "-"}
    return found


def features() -> list[str]:
    return sorted(p.name for p in PLANNER.iterdir() if (p / "__init__.py").exists())


def modules() -> dict[str, Path]:
    found = {}
    for path in PLANNER.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict, top_level_only: bool = False) -> list[tuple[str, int]]:
    """The planner modules ``path`` imports: anywhere in the file (lazy imports included), or only
    the statements run when the module is imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target:
                found.append((target, node.lineno))
    return found


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (a list of nodes, first repeated last), or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.no_app
def test_the_map_names_every_feature_and_has_no_cycle():
    declared = feature_map()
    assert sorted(declared) == features(), "docs/DEVELOPING.md: every feature package needs a line in the map"
    assert all(target in declared for targets in declared.values() for target in targets)
    assert cycle_in(declared) is None, f"the map has a cycle: {' → '.join(cycle_in(declared))}"


@pytest.mark.no_app
def test_features_import_only_what_the_map_allows():
    declared, known, names = feature_map(), modules(), set(features())
    refused = []
    for module, path in known.items():
        parts = module.split(".")
        if len(parts) < 3 or parts[1] not in names:
            continue
        source = parts[1]
        for target, line in imports(path, known):
            tparts = target.split(".")
            if len(tparts) < 2 or tparts[1] not in names or tparts[1] == source:
                continue
            if len(tparts) > 2 and tparts[2] == "models":
                continue  # the schema is shared: models are importable from anywhere
            if tparts[1] not in declared.get(source, set()):
                refused.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not refused, ("imports the map in docs/DEVELOPING.md does not allow (move the shared helper to "
                         "planner/, send a signal, or change the map if the dependency is right):\n"
                         + "\n".join(refused))


@pytest.mark.no_app
def test_no_import_cycle_between_planner_modules():
    """Between modules, what is imported at import time (a function may import lazily, as an
    ``init_app`` registering its command does); between features, every import counts (above)."""
    known = modules()
    graph = {module: {t for t, _line in imports(path, known, top_level_only=True) if t != module}
             for module, path in known.items()}
    found = cycle_in(graph)
    assert found is None, "import cycle: " + " → ".join(found)


@pytest.mark.no_app
def test_cycle_detection_sees_a_cycle():
    assert cycle_in({"crm": {"kpis"}, "kpis": {"crm"}}) in (["crm", "kpis", "crm"], ["kpis", "crm", "kpis"])
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": set()}) is None


# --------------------------------------------------------------------------- registries


def test_no_two_project_tabs_share_an_order_number(app):
    from planner.projects import registry

    orders = [tab.order for tab in registry.tabs()]
    assert len(orders) == len(set(orders)), [(t.order, t.endpoint) for t in registry.tabs()]


def test_no_two_navigation_entries_share_an_order_number(app):
    from planner import nav

    orders = [entry.order for entry in nav._ITEMS.values()]
    assert len(orders) == len(set(orders)), sorted((e.order, e.endpoint) for e in nav._ITEMS.values())


@pytest.mark.no_app
def test_templates_link_tabs_and_navigation_only_through_the_registries():
    """Project tabs and top navigation entries are registered by their feature, never written in a
    layout template."""
    for name in ("base.html", "projects/_layout.html"):
        text = (ROOT / "templates" / name).read_text(encoding="utf-8")
        links = re.findall(r"url_for\('([a-z_]+\.[a-z_]+)'", text)
        written = [endpoint for endpoint in links
                   if endpoint.split(".")[0] not in ("main", "auth", "static") and endpoint != "projects.overview"]
        assert not written, (name, written)  # projects.overview: the project's name links to its overview
