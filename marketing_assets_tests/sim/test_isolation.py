"""The simulator plays the source systems; it does not mirror the warehouse's reader.

Nothing under ``marketing_assets/sim`` may import ``marketing_assets.landing`` or
``marketing_assets.domains`` (the ODS specs, their models), directly or through another
module of the package: checked statically (every ``import`` statement, also inside
functions, followed through the package's modules) and at run time (what importing every
sim module actually loads).
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import marketing_assets
import marketing_assets.sim

PACKAGE = Path(marketing_assets.__file__).parent
FORBIDDEN = ("marketing_assets.landing", "marketing_assets.domains")


def _module_file(name: str) -> Path | None:
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(name: str, path: Path) -> set[str]:
    """Modules of the package named by the import statements of one module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}  # submodules imported by name
    return {m for m in found if m == "marketing_assets" or m.startswith("marketing_assets.")}


def sim_modules() -> list[str]:
    return ["marketing_assets.sim"] + [
        m.name for m in pkgutil.walk_packages(marketing_assets.sim.__path__, "marketing_assets.sim.")
    ]


def reached_from_sim() -> dict[str, str]:
    """Every package module the sim's import statements reach, with who imports it."""
    seen: dict[str, str] = {}
    todo = [(m, "") for m in sim_modules()]
    while todo:
        name, by = todo.pop()
        if name in seen:
            continue
        seen[name] = by
        path = _module_file(name)
        if path is None:  # a name imported from a module, not a module
            continue
        # importing a.b.c runs a/__init__ and a/b/__init__ too
        parents = {name.rsplit(".", i)[0] for i in range(1, name.count("."))}
        todo += [(m, name) for m in _imports(name, path) | parents]
    return seen


def test_no_sim_module_imports_the_reader_or_the_specs():
    bad = {m: by for m, by in reached_from_sim().items() if m.startswith(FORBIDDEN)}
    assert bad == {}, f"the simulator reaches the warehouse's reader/specs: {bad}"


def test_importing_every_sim_module_loads_neither_landing_nor_domains():
    code = (
        "import importlib, sys\n"
        f"for m in {sim_modules()!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
