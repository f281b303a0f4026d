"""The quick ways a build with nothing to do takes say what the slow ways say.

Such a build asks, of every output and source, what ``pathlib`` would answer at many
times the cost: which leaflet a file of build/ belongs to (``outputs.BuildOwners``, by
``owner``), an output's name in the manifest (``Manifest.key``, by ``relative_to``), where
its outputs go (``output_paths``, by ``output_path``) and whether a source is a link out
of source/ (``Project.source_problem``, by resolving). Each is checked here against the
slow way on the cases that differ: links, odd names, other brands. And such a build
imports none of the code that does the work (``pipeline.make`` and all it imports).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.outputs import BuildOwners, Variant, output_path, output_paths, owner
from careleaf.pipeline.manifest import Manifest
from careleaf.project import Project
from conftest import TmpProject

OUTSIDE = "is a link to a file outside source/; sources must live in the project"


def _build_tree(root: Path, outside: Path) -> None:
    """build/ with the files of two leaflets, a brand's, and links in and out of it."""
    build = root / "build"
    for name in ("en/a/a-a4.pdf", "en/a/print/a-a4.pdf", "en/a/proofs/a-a4-1.png",
                 "brands/clinic/es/b/b.epub", "site/en/a/a.epub", "en/a/notes.md"):
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text("x", encoding="utf-8")
    (outside / "secret.pdf").write_text("x", encoding="utf-8")
    (build / "en" / "a" / "out.pdf").symlink_to(outside / "secret.pdf")
    (build / "en" / "a" / "in.pdf").symlink_to(build / "en" / "a" / "a-a4.pdf")
    (build / "en" / "c").symlink_to(build / "en" / "a")  # a folder linked to another's
    (build / "en" / "d").symlink_to(outside)  # a folder linked out of build/


NAMES = ("en/a/a-a4.pdf", "en/a/print/a-a4.pdf", "en/a/proofs/a-a4-1.png", "en/a/gone.pdf",
         "brands/clinic/es/b/b.epub", "site/en/a/a.epub", "en/a/notes.md", "en/a/out.pdf",
         "en/a/in.pdf", "en/c/a-a4.pdf", "en/d/secret.pdf", "en/d/x/y.pdf", "en//a/./a-a4.pdf",
         "en/x/../a/a-a4.pdf", "en/a/a-a4.pdf/", "a-a4.pdf", "en/a", "", ".", "..", "/etc/passwd")


def test_build_owners_say_what_owner_says(tmp_path: Path) -> None:
    root, outside = tmp_path / "project", tmp_path / "outside"
    outside.mkdir()
    _build_tree(root, outside)
    project, owners = Project(root), BuildOwners(Project(root))
    said = {name: owners(name) for name in NAMES}
    assert said == {name: owner(project, project.build_dir / name) for name in NAMES}
    # Not vacuous: the links and the other brand are told apart.
    assert said["en/c/a-a4.pdf"] == ("en", "a") and said["en/a/out.pdf"] is None
    assert said["brands/clinic/es/b/b.epub"] == ("es", "b") and said["en/d/secret.pdf"] is None


@pytest.mark.parametrize("relative", [True, False])
def test_manifest_names_outputs_and_sources_as_pathlib_does(tmp_path: Path,
                                                            relative: bool) -> None:
    root = Path(os.path.relpath(tmp_path)) if relative else tmp_path
    project = Project(root)
    manifest = Manifest(project)
    for path in (project.build_dir / "en" / "a" / "a-a4.pdf", project.build_dir / "x",
                 project.build_dir / ".." / "build" / "en" / "a.pdf"):
        assert manifest.key(path) == path.relative_to(project.build_dir).as_posix()
    with pytest.raises(ValueError):
        manifest.key(project.root / "build-old" / "a.pdf")
    source = project.source_dir / "en" / "a.md"
    assert manifest.hash_inputs([source]) == {"source/en/a.md": "-"}


def test_output_paths_are_output_path(project: TmpProject) -> None:
    layouts = load_layouts(Project(project.root), Report())
    pairs = [(layout, variant) for layout in layouts.values()
             for variant in (Variant(), Variant("default", True), Variant("clinic"))]
    source = project.root / "source" / "es" / "dolor.md"
    assert output_paths(Project(project.root), source, pairs) == [
        output_path(Project(project.root), source, layout, variant) for layout, variant in pairs]


def test_a_source_or_its_language_linked_out_of_source_is_refused(
        minimal: TmpProject, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.md").write_text("x", encoding="utf-8")
    sources = minimal.root / "source"
    (sources / "fr").symlink_to(outside)  # a language's folder linked out
    (sources / "de").symlink_to(sources / "en")  # and one linked to another's: inside
    (sources / "en" / "linked.md").symlink_to(sources / "en" / "minimal.md")
    (sources / "en" / "leaked.md").symlink_to(outside / "x.md")
    project = Project(minimal.root)
    assert {path.relative_to(sources).as_posix(): project.source_problem(path)
            for path in project.sources()} == {
        "de/minimal.md": None, "de/linked.md": None, "de/leaked.md": OUTSIDE,
        "en/minimal.md": None, "en/linked.md": None, "en/leaked.md": OUTSIDE, "fr/x.md": OUTSIDE}


def _modules_of_a_build_with_nothing_to_do(root: Path, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a second ``careleaf build`` of ``root``, in a process of its own,
    imports; after checking that it had nothing to do."""
    code = ("import sys\nfrom careleaf.cli import main\n"
            f"try:\n    main(['build', '-C', {str(root)!r}])\n"
            "except SystemExit as exc:\n    print('exit', exc.code)\n"
            f"print('imported:', *sorted(m for m in {names!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "0 built, 2 up to date, 0 failed" in out
    assert out.splitlines()[-2] == "exit 0"
    return out.splitlines()[-1].split()[1:]


def test_a_build_with_nothing_to_do_loads_no_xml_parser_nor_babels_dates(
        minimal: TmpProject) -> None:
    """lxml (an SVG's check) and Babel's dates and catalogues are the loaders' and the
    renderers': loaded where they are used, not by a build that uses none of them."""
    assert minimal.run("build").exit_code == 0
    heavy = ("lxml", "babel.dates", "babel.messages.pofile", "weasyprint", "markdown_it")
    assert _modules_of_a_build_with_nothing_to_do(minimal.root, heavy) == []


def test_a_build_with_nothing_to_do_never_loads_its_working_half(minimal: TmpProject) -> None:
    """The loaders, the task kinds and the executors are the working half's
    (``pipeline.make``), loaded by name only when there is work: not by this build."""
    assert minimal.run("build").exit_code == 0
    working = ("careleaf.pipeline.make", "careleaf.pipeline.schedule",
               "careleaf.pipeline.tasks", "careleaf.pipeline.workers",
               "careleaf.pipeline.cluster", "careleaf.pipeline.remote",
               "careleaf.pipeline.graph", "careleaf.formats.job", "careleaf.source.load",
               "careleaf.source.translations", "careleaf.source.model",
               "careleaf.i18n.messages", "babel")
    assert _modules_of_a_build_with_nothing_to_do(minimal.root, working) == []
