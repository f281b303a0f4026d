"""Nothing reaches outside the project: layouts that point elsewhere fail, loudly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from conftest import CountingServer, TmpProject, counting_server


@pytest.fixture
def server() -> Iterator[CountingServer]:
    with counting_server() as running:
        yield running


def hostile_layout(project: TmpProject, css: str = "", head: str = "") -> None:
    project.write("layouts/hostile/layout.yml",
                  "name: hostile\nformat: pdf\nextends: a4\nstylesheets: [evil.css]\n")
    project.write("layouts/hostile/evil.css", css)
    project.write("layouts/hostile/leaflet.html",
                  '{% extends "print/leaflet.html" %}{% block head %}{{ super() }}' + head
                  + "{% endblock %}")


@pytest.mark.parametrize("css", [
    "@import url({server}/import.css);",
    "body {{ background: url({server}/bg.png) }}",
    "@font-face {{ font-family: X; src: url({server}/font.ttf) }} body {{ font-family: X }}",
    "body {{ background: url(file:///etc/passwd) }}",
    "body {{ background: url(../../../../../../../etc/passwd) }}",
    "@import url(../../../../../../../etc/passwd);",
])
def test_layout_css_pointing_outside_fails_and_fetches_nothing(
        minimal: TmpProject, server: CountingServer, css: str) -> None:
    hostile_layout(minimal, css.format(server=f"http://{server.address}"))
    result = minimal.run("build", "--layout", "hostile")
    assert result.exit_code == 1
    assert "error: refused to load '" in result.stderr
    assert "for en/minimal:" in result.stderr
    assert server.hits == []
    assert not minimal.output("en", "minimal", "minimal-hostile.pdf").exists()


@pytest.mark.parametrize("head", [
    '<link rel="attachment" href="file:///etc/passwd"/>',
    '<link rel="stylesheet" href="{server}/style.css"/>',
    '<link rel="attachment" href="../../../../../../etc/passwd"/>',
])
def test_template_links_outside_fail_and_embed_nothing(
        minimal: TmpProject, server: CountingServer, head: str) -> None:
    hostile_layout(minimal, head=head.format(server=f"http://{server.address}"))
    result = minimal.run("build", "--layout", "hostile")
    assert result.exit_code == 1, result.output
    assert "refused to load" in result.stderr
    assert server.hits == []
    assert not minimal.output("en", "minimal", "minimal-hostile.pdf").exists()


def test_files_inside_the_project_are_allowed(minimal: TmpProject) -> None:
    minimal.write("layouts/hostile/logo.svg",
                  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                  '<rect width="10" height="10" fill="#0a5561"/></svg>')
    hostile_layout(minimal, ".masthead { background: url(logo.svg) }",
                   '<link rel="attachment" href="layouts/hostile/logo.svg"/>')
    result = minimal.run("build", "--layout", "hostile")
    assert result.exit_code == 0, result.output
    reader = PdfReader(minimal.output("en", "minimal", "minimal-hostile.pdf"))
    assert list(reader.attachments) == ["logo.svg"]


def test_symlink_out_of_the_project_is_refused(minimal: TmpProject) -> None:
    (minimal.root / "layouts" / "hostile").mkdir(parents=True)
    (minimal.root / "layouts" / "hostile" / "passwd.css").symlink_to("/etc/passwd")
    hostile_layout(minimal, "@import url(passwd.css);")
    result = minimal.run("build", "--layout", "hostile")
    assert result.exit_code == 1
    assert "passwd.css' for en/minimal: it is outside the project" in result.stderr
