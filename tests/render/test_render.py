"""The HTML stage, golden-filed: what each layout's templates make of a leaflet.

PDF bytes are not golden-filed (they depend on fonts and renderer versions);
the HTML that goes into the renderers is. To accept a deliberate change, run
``CARELEAF_UPDATE_GOLDEN=1 pytest tests/render/test_render.py`` and review the diff.
"""

from __future__ import annotations

import os

import pytest

from careleaf.design.brand import load_brand
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project
from careleaf.render.html import render_html
from careleaf.source.load import load_leaflet
from conftest import FIXTURES, REPO

GOLDEN = FIXTURES / "minimal" / "golden"


@pytest.mark.parametrize("layout_name", ["a4", "epub"])
def test_html_matches_golden_file(layout_name: str) -> None:
    project = Project(FIXTURES / "minimal")
    report = Report()
    leaflet = load_leaflet(FIXTURES / "minimal/source/en/minimal.md", project, report)
    assert leaflet is not None, [str(d) for d in report]
    layout = load_layouts(Project(REPO), report)[layout_name]
    brand = load_brand(Project(REPO), "default", report)
    assert brand is not None
    html = render_html(leaflet, layout, brand)
    golden = GOLDEN / f"minimal-{layout_name}.html"
    if os.environ.get("CARELEAF_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")
