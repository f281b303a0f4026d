"""Page starts measured alone are the PDF's own: the layout that only measures
(``printed_page_starts``, margin boxes left empty) breaks every page where the
drawn PDF does, in layouts with running footers and page numbers."""

from __future__ import annotations

import pytest

from careleaf.design.brand import DEFAULT_BRAND, load_brand
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.formats.job import Job
from careleaf.formats.pdf import printed_page_starts, render_pdf
from careleaf.project import Project
from careleaf.render.html import render_html
from careleaf.source.load import load_leaflets
from conftest import TmpProject, long_leaflet


@pytest.mark.parametrize("layout_name", ["a4", "large-print", "letter"])
def test_measured_alone_the_pages_begin_where_the_pdf_has_them(
        minimal: TmpProject, layout_name: str) -> None:
    long_leaflet(minimal, 6)  # three pages or more: page numbers and footers on each
    project, report = Project(minimal.root), Report()
    layout = load_layouts(project, report)[layout_name]
    brand = load_brand(project, DEFAULT_BRAND, report)
    assert brand is not None
    leaflet = load_leaflets(project, report)[0]
    job = Job(project, leaflet, layout, brand, html=render_html(leaflet, layout, brand),
              record_pages=True)
    drawn = render_pdf(job, Report()).page_starts
    assert drawn is not None and len(drawn) >= 3
    assert printed_page_starts(job) == drawn
