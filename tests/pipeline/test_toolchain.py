"""The toolchain digest covers what shapes the bytes of an output, and nothing else.

An output is stale when the code on the render path (``source``, ``design``, ``i18n``,
``render``, ``formats``), ``OUTPUT_VERSION`` or a renderer's version changed since it
was built; an edit anywhere else (the dev server, the reports, the quality gates) leaves
every output fresh. To edit careleaf's code as a developer would, without touching the
repository, the package is copied and the real CLI run from the copy in a subprocess.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from careleaf.pipeline.manifest import OUTPUT_VERSION, RENDER_PATH, toolchain_digest
from careleaf.site.update import SITE_CODE
from conftest import COMPLETENESS_ONLY, MINIMAL, REPO, TmpProject
from test_architecture import imports, modules

PACKAGE = REPO / "scripts" / "careleaf"
#: What ``site.update`` hands ``toolchain_digest`` for the site.


def copy_package(tmp_path: Path) -> Path:
    """A copy of careleaf's code to edit: its folder goes on ``PYTHONPATH``."""
    code = tmp_path / "code"
    shutil.copytree(PACKAGE, code / "careleaf", ignore=shutil.ignore_patterns("__pycache__"))
    return code


def python(code: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python with the copied package first on its path (before the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CI", None)  # one plain line per output, which the tests read
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def careleaf(code: Path, project: TmpProject, *args: str) -> subprocess.CompletedProcess[str]:
    result = python(code, "-m", "careleaf", args[0], "-C", str(project.root), *args[1:])
    assert "Traceback" not in result.stderr, result.stderr
    return result


def comment(path: Path) -> None:
    """Edit ``path`` as a developer might, without changing what it does."""
    path.write_text(path.read_text(encoding="utf-8") + "# An edited comment.\n",
                    encoding="utf-8")


def status_lines(result: subprocess.CompletedProcess[str], status: str) -> list[str]:
    """The files a build said it ``built`` (or ``failed``), by name."""
    return sorted(Path(line.split()[1]).name for line in result.stdout.splitlines()
                  if line.startswith(f"{status} "))


@pytest.fixture
def two(minimal: TmpProject) -> TmpProject:
    """Two leaflets, so "every PDF" means more than one."""
    minimal.write("source/en/second.md", MINIMAL)
    return minimal


def test_the_copy_runs_instead_of_the_installed_package(tmp_path: Path) -> None:
    code = copy_package(tmp_path)
    result = python(code, "-c", "import careleaf; print(careleaf.__file__)")
    assert Path(result.stdout.strip()) == code / "careleaf" / "__init__.py"


def test_editing_code_off_the_render_path_leaves_every_output_fresh(
        two: TmpProject, tmp_path: Path) -> None:
    code = copy_package(tmp_path)
    first = careleaf(code, two, "build")
    assert first.returncode == 0, first.stderr
    assert status_lines(first, "built") == sorted(
        ["minimal-a4.pdf", "minimal.epub", "second-a4.pdf", "second.epub"])
    for name in ("site/serve.py", "check/reports.py", "check/readability.py"):
        comment(code / "careleaf" / name)
    again = careleaf(code, two, "build")
    assert again.returncode == 0, again.stderr
    assert status_lines(again, "built") == []
    assert "0 built, 4 up to date, 0 failed" in again.stdout


def test_editing_the_pdf_renderer_makes_every_pdf_stale(two: TmpProject,
                                                         tmp_path: Path) -> None:
    code = copy_package(tmp_path)
    assert careleaf(code, two, "build").returncode == 0
    comment(code / "careleaf" / "formats" / "pdf.py")
    check = careleaf(code, two, "check", "--no-reports", *COMPLETENESS_ONLY)
    stale = [line for line in check.stderr.splitlines()
             if "was built by another version of careleaf" in line]
    # The EPUB too: its page list is laid out by the PDF renderer.
    assert sorted(Path(line.split(":")[0]).name for line in stale) == sorted(
        ["minimal-a4.pdf", "minimal.epub", "second-a4.pdf", "second.epub"])
    rebuilt = careleaf(code, two, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert status_lines(rebuilt, "built") == sorted(
        ["minimal-a4.pdf", "minimal.epub", "second-a4.pdf", "second.epub"])
    assert "0 up to date" in rebuilt.stdout


#: Run in the copy: for each module, whether a comment added to it changes the digest
#: of the outputs and the site's.
PROBE = """
import json, sys
from pathlib import Path
from careleaf.pipeline.manifest import toolchain_digest
site = tuple(sys.argv[1:])
package = Path(toolchain_digest.__code__.co_filename).parents[1]
before = toolchain_digest(), toolchain_digest(*site)
changed = {}
for path in sorted(package.rglob("*.py")):
    text = path.read_bytes()
    path.write_bytes(text + b"# An edited comment.\\n")
    now = toolchain_digest(), toolchain_digest(*site)
    path.write_bytes(text)
    changed[path.relative_to(package).as_posix()] = [a != b for a, b in zip(before, now)]
print(json.dumps(changed))
"""


def test_the_digest_covers_the_render_path_and_nothing_else(tmp_path: Path) -> None:
    code = copy_package(tmp_path)
    result = python(code, "-c", PROBE, *SITE_CODE)
    assert result.returncode == 0, result.stderr
    changed: dict[str, list[bool]] = json.loads(result.stdout)
    site = {name.replace(".", "/") + ".py" for name in SITE_CODE}
    for name, (outputs, site_changed) in changed.items():
        on_path = name.split("/")[0] in RENDER_PATH
        assert outputs == on_path, name
        assert site_changed == (on_path or name in site), name
    assert not changed["site/serve.py"][1] and not changed["site/check.py"][1]
    assert changed["formats/pdf.py"] == [True, True]


def test_the_output_version_is_in_the_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    before = toolchain_digest()
    monkeypatch.setattr("careleaf.pipeline.manifest.OUTPUT_VERSION", OUTPUT_VERSION + 1)
    assert toolchain_digest() != before


def test_the_site_digest_names_every_module_that_draws_the_site() -> None:
    """``site.update`` hashes its own code and the site modules it imports, at any
    depth: a new one it comes to import must be added to the call."""
    known = modules()
    drawn, todo = set[str](), ["careleaf.site.update"]
    while todo:
        name = todo.pop()
        if name in drawn:
            continue
        drawn.add(name)
        todo += [target for target, *_ in imports(known[name], name, known)
                 if target.startswith("careleaf.site.")]
    publish = known["careleaf.site.update"]
    calls = [node for node in ast.walk(ast.parse(publish.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "toolchain_digest"]
    assert len(calls) == 1 and ast.unparse(calls[0]) == "toolchain_digest(*SITE_CODE)"
    assert set(SITE_CODE) == {name.removeprefix("careleaf.") for name in drawn}
