"""The build's task graph, run for real: the ebook takes its printed page starts from
the A4's task (not from a cache), proofs come after every output in tasks of their
own, and are recorded apart from their PDF, so a proof that failed costs only itself.

Layouts are counted by wrapping WeasyPrint's real ``HTML.render`` (it still lays the
pages out); with two workers the count goes through a file, since the workers are
forked with the wrapper and count in their own memory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from careleaf.errors import Report
from careleaf.pipeline.build import build
from careleaf.project import Project
from conftest import MINIMAL, TmpProject, long_leaflet

NAV = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
A4 = "en/minimal/minimal-a4.pdf"


def count_layouts(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Append a line to ``log`` for every layout of a leaflet WeasyPrint does, in any
    process (a worker's warm-up lays out a line of its own: not a leaflet)."""
    from weasyprint import HTML

    real = HTML.render

    def render(self: HTML, *args: object, **kwargs: object) -> object:
        if "Leg cramps" in "".join(self.etree_element.itertext()):
            with log.open("a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", render)


def layouts_done(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def page_list(epub: Path) -> list[str]:
    """The printed page numbers the ebook's navigation lists."""
    import zipfile

    with zipfile.ZipFile(epub) as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    links: Any = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NAV)
    return [str(link.text) for link in links]


def no_cache(project: TmpProject) -> None:
    """A file where the page-starts cache would go: it can be neither read nor written."""
    project.write("build/.careleaf-cache", "not a folder")


def events(project: TmpProject, jobs: int, **options: object) -> list[tuple[str, str]]:
    """Build in this process; each progress event as (file name, status), in order."""
    seen: list[tuple[str, str]] = []
    build(Project(project.root), Report(), jobs=jobs,
          progress=lambda path, status, _s: seen.append((path.name, status)),
          **options)  # type: ignore[arg-type]
    return seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_epub_takes_its_page_starts_from_the_a4_task_with_no_cache(
        project: TmpProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: int) -> None:
    long_leaflet(project, 6)
    no_cache(project)
    log = tmp_path / "layouts.log"
    count_layouts(monkeypatch, log)
    seen = events(project, jobs, proofs=False)
    assert [status for _, status in seen] == ["built", "built"]
    assert [name for name, _ in seen] == ["minimal-a4.pdf", "minimal.epub"]  # in order
    assert layouts_done(log) == 1, "the A4 was laid out again for the ebook"
    pages = len(PdfReader(project.output("en", "minimal", "minimal-a4.pdf")).pages)
    assert pages >= 2
    assert page_list(project.output("en", "minimal", "minimal.epub")) == [
        str(n) for n in range(1, pages + 1)]


def test_proofs_come_after_every_output_and_each_epub_after_its_a4(
        project: TmpProject) -> None:
    for name in ("minimal", "second", "third"):
        project.write(f"source/en/{name}.md", MINIMAL)
    seen = events(project, 2, layout_names=["a4", "letter", "epub"])
    statuses = [status for _, status in seen]
    assert statuses.count("built") == 9 and statuses.count("proofs") == 6
    # A proof starts only once every output has: by then at most the pool's window (two
    # workers and one queued) of outputs are still being made. (A quick proof may end
    # before a slow output that started earlier: that delays no PDF.)
    first_proof = min(i for i, (_, status) in enumerate(seen) if status == "proofs")
    assert statuses[:first_proof].count("built") >= 9 - 3
    for name in ("minimal", "second", "third"):
        assert seen.index((f"{name}-a4.pdf", "built")) < seen.index((f"{name}.epub", "built"))


def test_a_failed_proof_task_leaves_its_pdf_recorded_and_only_the_proofs_are_redone(
        minimal: TmpProject) -> None:
    blocker = minimal.write("build/en/minimal/proofs", "a file where the folder goes")
    first = minimal.run("build", "-j1")
    assert first.exit_code == 1
    assert "2 built, 0 up to date, 0 failed; proofs of 0 PDFs drawn, 1 failed" in first.stdout
    assert "could not be written" in first.stderr
    manifest = json.loads((minimal.root / "build/.careleaf-manifest.json").read_text())
    assert "proofs" not in manifest["outputs"][A4]  # the PDF is, without proofs
    pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    made = pdf.stat().st_mtime_ns, pdf.stat().st_ino

    blocker.unlink()
    second = minimal.run("build", "-j1")
    assert second.exit_code == 0, second.output
    assert "0 built, 2 up to date, 0 failed; proofs of 1 PDF drawn in" in second.stdout
    assert (pdf.stat().st_mtime_ns, pdf.stat().st_ino) == made  # not made again
    assert (pdf.parent / "proofs" / "minimal-a4-1.png").is_file()
    assert "0 built, 2 up to date, 0 failed in" in minimal.run("build", "-j1").stdout


def test_a_pdf_made_again_into_the_same_bytes_keeps_its_proofs(minimal: TmpProject) -> None:
    assert minimal.run("build", "-j1").exit_code == 0
    proof = minimal.output("en", "minimal", "proofs/minimal-a4-1.png")
    drawn = proof.stat().st_mtime_ns
    again = minimal.run("build", "-j1", "--force")
    assert "2 built, 0 up to date, 0 failed in" in again.stdout  # no proofs drawn
    assert proof.stat().st_mtime_ns == drawn


def test_proofs_of_replaced_bytes_go_and_a_later_build_draws_new_ones(
        minimal: TmpProject) -> None:
    assert minimal.run("build", "-j1").exit_code == 0
    proof = minimal.output("en", "minimal", "proofs/minimal-a4-1.png")
    assert proof.is_file()
    minimal.write("source/en/minimal.md", MINIMAL.replace("A warm bath", "A warm shower"))
    assert "1 built" in minimal.run("build", "-j1", "--no-proofs", "--layout", "a4").stdout
    assert not proof.exists(), "a picture of the PDF's earlier bytes was left beside it"
    later = minimal.run("build", "-j1", "--layout", "a4")
    assert "0 built, 1 up to date, 0 failed; proofs of 1 PDF drawn" in later.stdout


def test_an_epub_built_alone_finds_its_page_starts_or_lays_the_a4_out_once(
        project: TmpProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    long_leaflet(project, 6)
    assert project.run("build", "-j1", "--no-proofs").exit_code == 0
    css = project.root / "layouts/epub/epub.css"
    log = tmp_path / "layouts.log"
    count_layouts(monkeypatch, log)
    for tweak, cached, layouts in (("/* one */", True, 0), ("/* two */", False, 1)):
        css.write_text(css.read_text(encoding="utf-8") + tweak, encoding="utf-8")
        if not cached:
            (project.root / "build/.careleaf-cache").rename(tmp_path / "cache")
        result = project.run("build", "-j1", "--layout", "epub")
        assert "1 built, 0 up to date" in result.stdout, result.output
        assert layouts_done(log) == layouts
    pages = len(PdfReader(project.output("en", "minimal", "minimal-a4.pdf")).pages)
    assert page_list(project.output("en", "minimal", "minimal.epub")) == [
        str(n) for n in range(1, pages + 1)]


def test_an_ebook_keeps_its_cover_while_the_words_on_it_are_the_same(
        minimal: TmpProject) -> None:
    import zipfile

    covers = minimal.root / "build/.careleaf-cache/covers"
    epub = minimal.output("en", "minimal", "minimal.epub")

    def cover() -> bytes:
        with zipfile.ZipFile(epub) as book:
            return book.read("EPUB/images/cover.png")

    assert minimal.run("build", "-j1", "--layout", "epub").exit_code == 0
    first = cover()
    assert [path.read_bytes() for path in covers.iterdir()] == [first]
    minimal.write("source/en/minimal.md", MINIMAL.replace("A warm bath", "A warm shower"))
    assert "1 built" in minimal.run("build", "-j1", "--layout", "epub").stdout
    assert cover() == first and len(list(covers.iterdir())) == 1  # the same words: kept
    minimal.write("source/en/minimal.md", MINIMAL.replace("title: Leg cramps",
                                                          "title: Cramp in the leg"))
    assert "1 built" in minimal.run("build", "-j1", "--layout", "epub").stdout
    assert cover() != first and len(list(covers.iterdir())) == 2  # a new title: drawn
