"""Layout folders: inheritance, mistakes reported at their file and line."""

from __future__ import annotations

import pytest

from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project
from conftest import TmpProject


def test_repository_layouts_resolve_their_chain(project: TmpProject) -> None:
    report = Report()
    layouts = load_layouts(Project(project.root), report)
    assert not report.diagnostics
    a4, epub, base = layouts["a4"], layouts["epub"], layouts["base"]
    assert base.format is None
    assert (a4.format, a4.page_size, a4.output_name("x")) == ("pdf", "A4", "x-a4.pdf")
    assert (epub.format, epub.output_name("x")) == ("epub", "x.epub")
    assert [p.name for p in a4.chain] == ["a4", "print", "paper", "base"]
    assert [p.name for p in a4.stylesheets] == ["base.css", "paper.css", "print.css"]


def test_child_layout_inherits_page_size_but_not_output(project: TmpProject) -> None:
    project.write("layouts/letter/layout.yml", "name: letter\nextends: a4\npage_size: Letter\n")
    layout = load_layouts(Project(project.root), Report())["letter"]
    assert (layout.format, layout.page_size, layout.output_name("x")) == (
        "pdf", "Letter", "x-letter.pdf")


@pytest.mark.parametrize(("config", "line", "message"), [
    ("name: bad\nformat: pdf\nextend: a4\n", 3, "unknown key 'extend' (did you mean 'extends'?)"),
    ("name: other\nformat: pdf\n", 1, "'name' is 'other' but the folder is 'bad'"),
    ("name: bad\nformat: docx\n", 2, "'format' must be one of pdf, epub"),
    ("name: bad\nformat: pdf\nstylesheets:\n  - ../a4/print.css\n", 4,
     "stylesheet '../a4/print.css' is not a file inside bad/"),
    ("name: bad\nformat: pdf\nstylesheets: print.css\n", 3,
     "'stylesheets' must be a list of file names"),
    ("name: bad\nformat: [pdf\n", 3, "cannot read layout"),
    ("name: bad\nformat: pdf\nextends: nothing\n", None,
     "'extends' names 'nothing', which is not a layout folder with a valid layout.yml"),
    ("name: bad\nformat: pdf\nextends: bad\n", None, "'extends' makes a loop: bad -> bad"),
    ("name: bad\nformat: pdf\noutput: ../../../evil.pdf\n", 3,
     "'output' must be a file name, not a path"),
    ("name: bad\nformat: pdf\noutput: '{slug}.pdf'\n", 3,
     "'output' can only use {id}, {layout} and {ext} ('slug' is not one of them)"),
    ("name: bad\nformat: pdf\noutput: leaflet.pdf\n", 3, "'output' must contain {id}"),
])
def test_layout_config_mistakes(project: TmpProject, config: str, line: int | None,
                                message: str) -> None:
    path = project.write("layouts/bad/layout.yml", config)
    report = Report()
    layouts = load_layouts(Project(project.root), report)
    assert "bad" not in layouts
    assert [(d.location.path, d.location.line) for d in report] == [(path, line)]
    assert report.errors[0].message.startswith(message)


def test_template_syntax_error_points_at_template_line(minimal: TmpProject) -> None:
    minimal.write("layouts/broken/layout.yml", "name: broken\nformat: pdf\nextends: a4\n")
    template = minimal.write("layouts/broken/leaflet.html",
                             '{% extends "print/leaflet.html" %}\n{% block head %}\n{% if %}\n'
                             "{% endblock %}\n")
    result = minimal.run("build", "--layout", "broken")
    assert result.exit_code == 1
    assert f"{template}:3: error: template error: " in result.stderr
    assert not minimal.output("en", "minimal", "minimal-broken.pdf").exists()


def test_template_undefined_name_points_at_template_line(minimal: TmpProject) -> None:
    minimal.write("layouts/broken/layout.yml", "name: broken\nformat: epub\nextends: epub\n")
    template = minimal.write("layouts/broken/leaflet.html",
                             '{% extends "base/leaflet.html" %}\n{% block masthead %}\n'
                             "<h1>{{ leaflet.titel }}</h1>\n{% endblock %}\n")
    result = minimal.run("build", "--layout", "broken")
    assert result.exit_code == 1
    assert f"{template}:3: error: template error: " in result.stderr
    assert "titel" in result.stderr


def test_css_that_weasyprint_ignores_is_a_warning_at_its_stylesheet_line(
        minimal: TmpProject) -> None:
    minimal.write("layouts/sloppy/layout.yml",
                  "name: sloppy\nformat: pdf\nextends: a4\nstylesheets: [typo.css]\n")
    minimal.write("layouts/sloppy/typo.css", "h1 { color: navy; }\n\nh2 { colr: red; }\n")
    result = minimal.run("build", "--layout", "sloppy")
    assert result.exit_code == 0
    sheet = minimal.root / "layouts" / "sloppy" / "typo.css"
    assert f"{sheet}:3: warning: WeasyPrint: Ignored `colr: red` at 3:6, unknown property." in (
        result.stderr)
    assert minimal.run("build", "--layout", "sloppy", "--strict", "--force").exit_code == 1
