"""The fill check: a mostly empty tri-fold panel or last page is a warning at the leaflet.

Measured (filled %, from ``careleaf.check.fill.measure``): the minimal leaflet (130
words) fills its A4 page 86%; on the tri-fold, spread over the inside spread at 11 pt,
panels 3-5 hold 29%, 30% and 20%. chronic-muscle-spasms fills its tri-fold's inside
panels 82%, 88% and 81% (before ``formats/panels.py``: 100%, 100% and 0%), its Letter
page 2 90% (before ``letter/letter.css``, a page 3 held the contact block alone: 12%),
its A4 page 2 99%, and its booklet's last page of text (page 5 of 8, before two Notes
pages and the back cover) 28%.
"""

from __future__ import annotations

import re
import shutil

from careleaf.check.fill import measure
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project
from conftest import REPO, TmpProject


def test_a_mostly_empty_trifold_panel_is_a_warning_at_the_leaflet(minimal: TmpProject) -> None:
    # 130 words: even spread over the inside spread at the largest type, each panel
    # is mostly empty. The flap shows its designed questions and notes: not measured.
    assert minimal.run("build", "--layout", "trifold-a4").exit_code == 0
    result = minimal.run("check", "--layout", "trifold-a4")
    assert result.exit_code == 0, result.output
    warned = re.findall(r"minimal.md: warning: the trifold-a4 layout leaves panel (\d) of 6 "
                        r"(\d+)% empty \(filled (\d+)%\)", result.output)
    assert [panel for panel, _, _ in warned] == ["3", "4", "5"], result.output
    assert all(int(empty) + int(filled) == 100 and 60 < int(empty) < 100
               for _, empty, filled in warned)  # spread over all three, none blank
    assert "panel 2 of 6" not in result.output
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
    names = ["a4", "letter", "trifold-a4", "booklet-a5"]
    assert project.run("build", *(a for n in names for a in ("--layout", n))).exit_code == 0
    layouts = load_layouts(Project(project.root), Report())
    fills = {name: {f.label: round(100 * f.filled) for f in measure(
        project.output("en", "chronic-muscle-spasms", f"chronic-muscle-spasms-{name}.pdf"),
        layouts[name])} for name in names}
    assert fills["a4"]["page 2 of 2 (the last)"] > 90
    assert fills["letter"]["page 2 of 2 (the last)"] >= 40  # the contact block is not alone
    inside = [fills["trifold-a4"][f"panel {n} of 6"] for n in (3, 4, 5)]
    assert min(inside) >= 40, fills["trifold-a4"]  # the inside spread, balanced
    assert "panel 2 of 6" not in fills["trifold-a4"]  # the flap's designed questions
    # The booklet's text ends on page 5, before its Notes pages and its back cover.
    assert list(fills["booklet-a5"]) == ["page 5 of 8 (the last of the text)"]
    assert fills["booklet-a5"]["page 5 of 8 (the last of the text)"] < 40  # "see a doctor"
    result = project.run("check", "--layout", "letter")
    assert "the letter layout leaves" not in result.output
