"""Clipped text: words that run past the edge of a page, a panel or an overflow box are
errors at their source line, through the real CLI; whole text is never refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, TmpProject

#: 3,000 letters with no break: the typo of issue 11, finding 7.
LONG_WORD = "Pneumonoultra" + "x" * 2987
PDF_LAYOUTS = ("a4", "letter", "large-print", "booklet-a5", "trifold-a4", "trifold-letter")


def write_leaflet(project: TmpProject, *changes: tuple[str, str]) -> Path:
    """The minimal leaflet with each ``(old, new)`` of ``changes`` made."""
    text = MINIMAL
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return project.write("source/en/minimal.md", text)


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_3000_letter_word_in_the_trifold_overview_fails_at_its_line(
        project: TmpProject) -> None:
    overview = "Leg cramps are sudden, painful tightening of a muscle."
    source = write_leaflet(project, (overview, f"{overview} {LONG_WORD}"))
    result = project.run("build", "--layout", "trifold-a4")
    assert result.exit_code == 1
    line = line_of(source, LONG_WORD)
    found = re.search(
        rf'^{re.escape(str(source))}:{line}: error: text is cut off at the edge of panel 3 '
        r'of the trifold-a4 layout \("Pneumonoultraxxxxxxx…", (\d),(\d{3}) characters do not '
        r"fit\); break the long word or shorten the line$", result.stderr, re.MULTILINE)
    assert found, result.stderr
    # Some 50 letters fit across the panel; the rest would be lost past its edge.
    assert 2_900 < int(found[1] + found[2]) < 3_000
    assert result.stderr.count("error:") == 1
    folder = project.root / "build" / "en" / "minimal"
    assert not (folder / "minimal-trifold-a4.pdf").exists()
    assert not list(folder.glob("proofs/*.png"))


@pytest.mark.parametrize("layout", ["a4", "large-print"])
def test_a_long_word_in_a_treatment_fails_at_its_line_with_every_other_cut(
        project: TmpProject, layout: str) -> None:
    # A paragraph wrapped over two source lines: the error names the second.
    source = write_leaflet(
        project, ("Stretch the muscle gently until the cramp eases.",
                  f"Stretch the muscle gently\nuntil the {'cramp' * 60} eases."),
        ("title: Leg cramps", f"title: Leg {'Cramp' * 40}"))
    result = project.run("build", "--layout", layout)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    treatment = f"{source}:{line_of(source, 'cramp' * 60)}: error: text is cut off at the edge of"
    title = f"{source}:2: error: text is cut off at the edge of"
    assert any(e.startswith(treatment) and '("crampcrampcrampcramp…", ' in e for e in errors)
    assert any(e.startswith(title) and '("CrampCrampCrampCramp…", ' in e for e in errors)
    assert not project.output("en", "minimal", f"minimal-{layout}.pdf").exists()


def test_text_cut_off_by_an_overflow_hidden_box_fails_at_its_line(project: TmpProject) -> None:
    project.write("layouts/boxed/layout.yml",
                  "name: boxed\nformat: pdf\nextends: a4\nstylesheets:\n  - boxed.css\n")
    # The card is 12 mm high: the list under "Stretch the muscle…" falls outside it.
    project.write("layouts/boxed/boxed.css", "#stretching { overflow: hidden; height: 12mm; }")
    source = project.write("source/en/minimal.md", MINIMAL)
    result = project.run("build", "--layout", "boxed")
    assert result.exit_code == 1
    for text in ("Hold the stretch", "Breathe slowly"):
        assert (f"{source}:{line_of(source, text)}: error: text is cut off at the edge of its "
                f"box on page 1 of the boxed layout") in result.stderr
    assert "shorten the text" in result.stderr
    assert result.stderr.count("error:") == 2  # each entry's bullet is cut with it
    assert not project.output("en", "minimal", "minimal-boxed.pdf").exists()


def test_a_long_title_on_the_trifold_cover_fails_at_the_title_line(project: TmpProject) -> None:
    source = write_leaflet(project, ("title: Leg cramps", f"title: Leg {'cramp' * 40}"))
    result = project.run("build", "--layout", "trifold-a4")
    assert result.exit_code == 1
    assert (f'{source}:2: error: text is cut off at the edge of panel 1 of the trifold-a4 '
            'layout ("crampcrampcrampcramp…", ') in result.stderr


def test_a_failed_build_leaves_the_good_output_byte_identical(project: TmpProject) -> None:
    project.write("source/en/minimal.md", MINIMAL)
    assert project.run("build", "--layout", "trifold-a4").exit_code == 0
    folder = project.root / "build" / "en" / "minimal"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert folder / "minimal-trifold-a4.pdf" in before
    overview = "Leg cramps are sudden, painful tightening of a muscle."
    write_leaflet(project, (overview, f"{overview} {LONG_WORD}"))
    assert project.run("build", "--layout", "trifold-a4").exit_code == 1
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_the_repository_leaflets_print_whole_in_every_layout(project: TmpProject) -> None:
    """No false alarm: English, Spanish and Arabic (right to left, in a tall font that
    comes within a millimetre of the foot of the large-print page) in every printed
    layout, and with bleed and crop marks (which lie outside the trimmed page)."""
    for lang in ("en", "es", "ar"):
        shutil.copytree(REPO / "source" / lang, project.root / "source" / lang)
    layouts = [arg for name in PDF_LAYOUTS for arg in ("--layout", name)]
    for options in (layouts, ["--layout", "large-print", "--print-ready"]):
        result = project.run("build", *options, "--no-proofs")
        assert result.exit_code == 0, result.stderr
        assert "cut off" not in result.stderr
    for lang in ("en", "es", "ar"):
        folder = project.root / "build" / lang / "chronic-muscle-spasms"
        for name in PDF_LAYOUTS:
            assert (folder / f"chronic-muscle-spasms-{name}.pdf").exists()
        assert (folder / "print" / "chronic-muscle-spasms-large-print.pdf").exists()
