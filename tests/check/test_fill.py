"""The fill check: a mostly empty tri-fold panel or last page is a warning at the leaflet.

Measured (filled %, from ``careleaf.check.fill.measure``): the minimal leaflet fills its
A4 page 86% and its tri-fold's panel 2 72%, leaving panels 3-5 empty (0%);
chronic-muscle-spasms leaves its tri-fold's panel 5 empty and its Letter page 3 12%
filled (the contact block alone), and fills its A4 page 2 99%.
"""

from __future__ import annotations

import shutil

from careleaf.check.fill import measure
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project
from conftest import REPO, TmpProject


def test_a_mostly_empty_trifold_panel_is_a_warning_at_the_leaflet(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "trifold-a4").exit_code == 0
    result = minimal.run("check", "--layout", "trifold-a4")
    assert result.exit_code == 0, result.output
    for panel in (3, 4, 5):
        assert (f"minimal.md: warning: the trifold-a4 layout leaves panel {panel} of 6 100% "
                f"empty (filled 0%)") in result.output
    assert "panel 2 of 6" not in result.output  # 72% filled
    assert "panel 1 of 6" not in result.output and "panel 6 of 6" not in result.output
    assert minimal.run("check", "--layout", "trifold-a4", "--strict").exit_code != 0


def test_a_full_last_page_passes(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "a4").exit_code == 0
    result = minimal.run("check", "--layout", "a4")
    assert "fill" not in result.output.replace("fills", "")
    assert "empty (filled" not in result.output


def test_the_repository_leaflet_is_measured_in_every_print_layout(project: TmpProject) -> None:
    shutil.copy(REPO / "source" / "en" / "chronic-muscle-spasms.md",
                project.write("source/en/chronic-muscle-spasms.md", ""))
    names = ["a4", "letter", "trifold-a4"]
    assert project.run("build", *(a for n in names for a in ("--layout", n))).exit_code == 0
    layouts = load_layouts(Project(project.root), Report())
    fills = {name: {f.label: round(100 * f.filled) for f in measure(
        project.output("en", "chronic-muscle-spasms", f"chronic-muscle-spasms-{name}.pdf"),
        layouts[name])} for name in names}
    assert fills["a4"]["page 2 of 2 (the last)"] > 90
    assert fills["letter"]["page 3 of 3 (the last)"] < 40  # only the contact block
    assert fills["trifold-a4"]["panel 5 of 6"] < 40 < fills["trifold-a4"]["panel 2 of 6"]
    result = project.run("check", "--layout", "letter")
    assert "the letter layout leaves page 3 of 3 (the last)" in result.output
