"""Outputs no longer built are removed at the next build, with their manifest records."""

from __future__ import annotations

import json

from conftest import MINIMAL, TmpProject


def _recorded(project: TmpProject) -> set[str]:
    manifest = project.root / "build" / ".careleaf-manifest.json"
    return set(json.loads(manifest.read_text(encoding="utf-8"))["outputs"])


def _narrow(project: TmpProject, layouts: str) -> None:
    project.write("source/en/minimal.md", MINIMAL.replace("---\n", f"---\nlayouts: {layouts}\n", 1))


def test_narrowing_layouts_removes_those_outputs_once(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    assert epub.exists() and "en/minimal/minimal.epub" in _recorded(minimal)
    own = minimal.write("build/en/minimal/my-notes.txt", "mine")
    _narrow(minimal, "[a4]")
    result = minimal.run("build")
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "no longer built" in line]
    assert len(said) == 1 and "removed 1 output no longer built: build/en/minimal/" \
        "minimal.epub (layouts: narrowed in source/en/minimal.md)" in said[0]
    assert not epub.exists() and own.exists()
    assert minimal.output("en", "minimal", "minimal-a4.pdf").exists()
    assert _recorded(minimal) == {"en/minimal/minimal-a4.pdf"}
    again = minimal.run("build")
    assert again.exit_code == 0 and "no longer built" not in again.output


def test_a_layout_limited_build_removes_nothing(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    result = minimal.run("build", "--layout", "a4", "--force")
    assert result.exit_code == 0 and "no longer built" not in result.output
    assert minimal.output("en", "minimal", "minimal.epub").exists()


def test_a_deleted_sources_outputs_go_but_a_users_file_stays(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    own = minimal.write("build/en/minimal/my-notes.txt", "mine")
    (minimal.root / "source/en/minimal.md").unlink()
    result = minimal.run("build")
    assert "removed 2 outputs no longer built" in result.output, result.output
    assert "source/en/minimal.md was deleted" in result.output
    assert not minimal.output("en", "minimal", "minimal-a4.pdf").exists()
    assert not (minimal.root / "build/en/minimal/proofs").exists()
    assert own.exists() and _recorded(minimal) == set()
