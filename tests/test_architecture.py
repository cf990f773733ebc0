"""The shape the code keeps: imports point one way between apps, and no module cycle exists."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "live",
    "projects",
    "storyboards",
    "nerf",
    "api",
    "operations",
    "media_pipeline",
)
# What each app may import among the project's own apps; `config` wires everything together.
ALLOWED = {
    "media_pipeline": set(),
    "live": set(),
    "projects": {"media_pipeline", "live"},
    "storyboards": {"projects", "media_pipeline", "live"},
    "nerf": {"projects", "media_pipeline", "live"},
    "api": {"storyboards", "projects", "nerf", "media_pipeline", "live"},
    "operations": {"storyboards", "projects", "media_pipeline", "live"},
    "config": set(APPS),
}


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                relative = path.relative_to(ROOT).with_suffix("")
                modules[".".join(relative.parts).removesuffix(".__init__")] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules imported by `path`, anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from package import module` imports the module, not the package's own code.
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name for name in submodules if name in modules] or [node.module]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def test_apps_import_only_in_the_agreed_direction(graph):
    wrong = sorted(
        (module, imported)
        for module, targets in graph.items()
        for imported in targets
        if (source := module.split(".")[0]) != (target := imported.split(".")[0])
        and target not in ALLOWED[source]
    )
    assert wrong == []


def test_no_module_import_cycle(graph):
    state: dict[str, str] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                cycles.append(path[path.index(imported) :] + [imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
