"""Tri-folds filled the way a designer would (``formats/panels.py``), read back from the
built sheets with the fill check's own measure.

Measured (filled %, panels 3-5): chronic-muscle-spasms on the A4 tri-fold 82, 88, 81 in
English, 82, 91, 77 in Spanish, 83, 77, 83 in Arabic; on the Letter tri-fold 84, 82, 92 /
87, 95, 82 / 79, 88, 83. Before the panels were fitted: 100, 100, 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from careleaf.check.fill import measure
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.formats.panels import FLAP_ID
from careleaf.project import Project
from conftest import REPO, TmpProject, long_leaflet

TRIFOLDS = ("trifold-a4", "trifold-letter")


def panel_fills(project: TmpProject, pdf: Path, layout: str, rtl: bool = False
                ) -> dict[int, int]:
    """Filled % of each measured panel, by panel number."""
    layouts = load_layouts(Project(project.root), Report())
    return {int(fill.label.split()[1]): round(100 * fill.filled)
            for fill in measure(pdf, layouts[layout], rtl)}


def has_questions(pdf: Path) -> bool:
    """Whether the flap shows its designed questions and notes."""
    return FLAP_ID in PdfReader(pdf).named_destinations


def body_size(pdf: Path, words: str) -> float:
    """The type size (pt) of the text run that holds ``words``."""
    sizes: list[float] = []
    for page in PdfReader(pdf).pages:
        def visit(text: str, cm: list[float], tm: list[float], font: object,
                  size: float) -> None:
            if words in text:
                sizes.append(size * abs(tm[3]) * abs(cm[3]))
        page.extract_text(visitor_text=visit)
    assert sizes, f"'{words}' is not in {pdf.name}"
    return round(min(sizes), 2)


def build(project: TmpProject, *layouts: str) -> None:
    result = project.run("build", *(arg for name in layouts for arg in ("--layout", name)))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_the_repository_leaflet_fills_the_inside_spread_evenly(project: TmpProject,
                                                               lang: str) -> None:
    shutil.rmtree(project.root / "source")
    shutil.copytree(REPO / "source", project.root / "source")
    build(project, *TRIFOLDS)
    for layout in TRIFOLDS:
        pdf = project.output(lang, "chronic-muscle-spasms", f"chronic-muscle-spasms-{layout}.pdf")
        fills = panel_fills(project, pdf, layout, rtl=lang == "ar")
        inside = [fills[n] for n in (3, 4, 5)]
        assert min(inside) >= 40, (layout, fills)  # no inside panel left (nearly) empty
        assert max(inside) - min(inside) <= 25, (layout, fills)  # and they end near level
        assert has_questions(pdf) and 2 not in fills  # the flap: its questions and notes


def test_a_short_leaflet_spreads_over_the_inside_spread_in_larger_type(
        minimal: TmpProject) -> None:
    build(minimal, "trifold-a4", "a4")
    pdf = minimal.output("en", "minimal", "minimal-trifold-a4.pdf")
    fills = panel_fills(minimal, pdf, "trifold-a4")
    assert all(fills[n] >= 15 for n in (3, 4, 5)), fills  # none left blank
    assert has_questions(pdf)
    # 130 words: the type steps up from the designed 9.5 pt to the layout's largest.
    assert body_size(pdf, "Not drinking enough water") == 11


def test_a_longer_leaflet_starts_on_the_flap_and_fills_four_panels(
        minimal: TmpProject) -> None:
    long_leaflet(minimal, 6)  # some 1,000 more words: more than the inside spread holds
    build(minimal, "trifold-a4")
    pdf = minimal.output("en", "minimal", "minimal-trifold-a4.pdf")
    fills = panel_fills(minimal, pdf, "trifold-a4")
    assert not has_questions(pdf)
    assert all(fills[n] >= 60 for n in (2, 3, 4, 5)), fills
    assert body_size(pdf, "Not drinking enough water") == 9.5


def test_a_long_leaflet_steps_its_type_down_before_it_is_too_long(minimal: TmpProject) -> None:
    long_leaflet(minimal, 8)  # fits four panels only at 9 pt, with cards broken across
    build(minimal, "trifold-a4")
    pdf = minimal.output("en", "minimal", "minimal-trifold-a4.pdf")
    fills = panel_fills(minimal, pdf, "trifold-a4")
    assert all(fills[n] >= 60 for n in (2, 3, 4, 5)), fills
    assert body_size(pdf, "Not drinking enough water") == 9
    result = minimal.run("check", "--layout", "trifold-a4")
    assert result.exit_code == 0 and "empty (filled" not in result.output, result.output


def test_type_sizes_must_run_from_smallest_to_largest(minimal: TmpProject) -> None:
    config = minimal.root / "layouts" / "trifold" / "layout.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("type_sizes: [9pt, 9.5pt, 11pt]",
                                   "type_sizes: [11pt, 9.5pt, 9pt]"), encoding="utf-8")
    line = next(n for n, row in enumerate(text.split("\n"), 1) if row.startswith("type_sizes"))
    result = minimal.run("build", "--layout", "trifold-a4")
    assert result.exit_code != 0
    assert (f"{config}:{line}: error: 'type_sizes' must go from the smallest size to the "
            "largest, like [9pt, 9.5pt, 11pt]") in result.stderr
    assert "Traceback" not in result.output
