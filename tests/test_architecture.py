"""The package's shape: the folders are the pipeline, and data flows one way through them.

Every import of careleaf's own modules is read from the code (``ast``), at module level
and inside functions alike, so a deferred import cannot hide an arrow; so is a module
loaded by its name written out (``importlib.import_module("careleaf.…")``). The stages
come in this order, and a module may import only from its own stage or an earlier one;
no import goes round in a loop; and careleaf's own modules are imported at the top of a
module, where a reader sees them (only third-party libraries, at the edges, are
imported inside functions: WeasyPrint must not load for a build with nothing to do).
The one exception is named in ``LOADED_BY_NAME``, with its reason. A name made at run
time (the commands ``cli`` loads, the formats' code ``outputs`` names) is not read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "scripts" / "careleaf"
#: The stages in pipeline order; top-level modules are named by themselves.
STAGES = (
    ("errors", "files", "yamlfile", "project", "config", "outputs"),
    ("design",), ("i18n",), ("source",), ("render",), ("formats",), ("pipeline",),
    ("site",), ("check",), ("ingest",), ("publish",),
    ("commands",), ("cli", "__main__"),
)
#: The careleaf modules loaded by name inside a function, each by the one module that
#: may, and why. Such a load is read as an import (stage order, loops) all the same.
LOADED_BY_NAME = {
    ("careleaf.pipeline.build", "careleaf.pipeline.make"):
        "the build's working half, loaded only when there is work: a build with nothing "
        "to do never imports the source loaders, the renderers or the executors",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> int:
    """The index of ``module``'s stage in ``STAGES``; the package itself comes first."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    return next(index for index, names in enumerate(STAGES) if parts[1] in names)


def imports(path: Path, module: str, known: dict[str, Path]
            ) -> Iterator[tuple[str, int, bool, bool]]:
    """Each careleaf module ``path`` imports: its name, the line, whether in a function,
    whether by name (``importlib``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(node) for func in ast.walk(tree)
              if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(func)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        for name in _targets(node, package, known):
            yield (name, node.lineno, id(node) in nested,  # type: ignore[attr-defined]
                   isinstance(node, ast.Call))


def _targets(node: ast.AST, package: str, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                            + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                 for a in node.names]
    elif (loaded := _loaded_by_name(node)) is not None:
        names = [loaded]
    else:
        return []
    found = []
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name.startswith("careleaf"):
            found.append(name)
    return found


def _loaded_by_name(node: ast.AST) -> str | None:
    """The name ``importlib.import_module`` (or ``import_module``) is called with, when
    it is written out."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func, name = node.func, node.args[0]
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called == "import_module" and isinstance(name, ast.Constant) \
            and isinstance(name.value, str):
        return name.value
    return None


def graph() -> dict[str, set[str]]:
    known = modules()
    return {module: {name for name, *_ in imports(path, module, known) if name != module}
            for module, path in known.items()}


def test_every_module_belongs_to_a_stage() -> None:
    for module in modules():
        stage(module)  # StopIteration names a module in no stage


def test_no_module_imports_from_a_later_stage() -> None:
    upward = [f"{module} imports {name}" for module, names in graph().items()
              for name in names if stage(name) > stage(module)]
    assert upward == []


def test_no_import_loop() -> None:
    edges = graph()
    loops = []
    for start in edges:
        path = _loop_from(start, edges)
        if path:
            loops.append(" -> ".join(path))
    assert loops == []


def _loop_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for name in sorted(edges[node]):
            if name == start:
                return [*path, name]
            if name not in seen:
                seen.add(name)
                stack.append((name, [*path, name]))
    return None


@pytest.mark.parametrize("module", sorted(modules()))
def test_careleaf_modules_are_imported_at_the_top(module: str) -> None:
    known = modules()
    hidden = [f"{module}:{line} imports {name} inside a function"
              for name, line, in_function, by_name in imports(known[module], module, known)
              if in_function and not (by_name and (module, name) in LOADED_BY_NAME)]
    assert hidden == []


def test_each_load_by_name_allowed_is_made() -> None:
    """The exceptions stay as narrow as they are listed: each is a load still made."""
    known = modules()
    made = {(module, name) for module, path in known.items()
            for name, _, in_function, by_name in imports(path, module, known)
            if in_function and by_name}
    assert made == set(LOADED_BY_NAME)
