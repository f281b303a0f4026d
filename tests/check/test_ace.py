"""DAISY Ace and EPUBCheck on every EPUB the repository's own leaflets build into.

The leaflets and layouts are copied into a temporary project and built once for the
module. Each Ace run starts a headless Chromium (about 3 s), so there are only as many
runs as there are EPUBs, plus one on a deliberately broken copy.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from careleaf.check import ace
from careleaf.check.ace import run_ace
from careleaf.check.epubcheck import run_epubcheck
from careleaf.cli import main
from careleaf.config import load_config
from careleaf.design.layouts import Layout, load_layouts
from careleaf.errors import Report
from careleaf.formats.epub import CONTENT_FILE
from careleaf.project import Project
from conftest import REPO


@dataclass(frozen=True)
class Built:
    root: Path
    epubs: list[Path]


def epub_layouts() -> list[Layout]:
    """The EPUB layouts the repository builds by default (pyproject.toml)."""
    report = Report()
    layouts = load_layouts(Project(REPO), report)
    chosen = load_config(REPO, report).layouts or tuple(layouts)
    assert not report.errors, [str(d) for d in report]
    return [layouts[name] for name in chosen if layouts[name].format == "epub"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A copy of the repository's project with every default EPUB built."""
    project = Project(tmp_path_factory.mktemp("project"))
    for folder in ("source", "layouts"):
        shutil.copytree(REPO / folder, project.root / folder)
    layouts = epub_layouts()
    options = [arg for layout in layouts for arg in ("--layout", layout.name)]
    result = CliRunner().invoke(main, ["build", "-C", str(project.root), "-q", *options])
    assert result.exit_code == 0, result.output
    # The build's own outputs (the download site holds copies of the same files).
    epubs = [project.output_dir(source.parent.name, source.stem) / layout.output_name(source.stem)
             for source in project.sources() for layout in layouts]
    assert epubs and all(epub.is_file() for epub in epubs), epubs
    return Built(project.root, epubs)


def test_every_epub_passes_ace_and_epubcheck(built: Built) -> None:
    report = Report()
    for epub in built.epubs:
        assert run_ace(epub, report), [str(d) for d in report]
        assert run_epubcheck(epub, report), [str(d) for d in report]
    assert [str(d) for d in report] == []


def test_a_violation_fails_the_check(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(built.root, root)
    epub = root / built.epubs[0].relative_to(built.root)
    without_language(epub)
    result = CliRunner().invoke(main, ["check", "-C", str(root), "--layout", "epub", "--ace"])
    assert result.exit_code == 1
    assert (f"{epub}: error: ace: html-has-lang (serious): The <html> element does not have "
            f"a lang attribute [{CONTENT_FILE}: html]") in result.stderr


def test_missing_ace_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ace, "ACE_JS", tmp_path / "nowhere" / "ace.js")
    report = Report()
    assert not run_ace(tmp_path / "x.epub", report)
    [diagnostic] = report
    assert "error: cannot run Ace: Ace (" in str(diagnostic)
    assert str(diagnostic).endswith("is not installed (run 'make setup')")


def without_language(epub: Path) -> None:
    """Drop ``lang`` and ``xml:lang`` from the content document's ``<html>`` tag, in place."""
    with zipfile.ZipFile(epub) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    # The same entries in the same order: mimetype stays first and stored.
    with zipfile.ZipFile(epub, "w") as target:
        for info, data in entries:
            if info.filename == f"EPUB/{CONTENT_FILE}":
                data, count = re.subn(rb"<html\b[^>]*>", _drop_lang, data, count=1)
                assert count == 1
            target.writestr(info, data)


def _drop_lang(tag: re.Match[bytes]) -> bytes:
    stripped, count = re.subn(rb'\s(?:xml:)?lang="[^"]*"', b"", tag.group(0))
    assert count == 2, tag.group(0)
    return stripped
