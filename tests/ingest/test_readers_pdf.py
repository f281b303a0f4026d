"""The PDF reader, on careleaf's own built PDF, on a plain WeasyPrint PDF with no outline,
and on inputs it must refuse (encrypted, not a PDF, no text layer)."""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path

import pypdf
import pytest

from careleaf.ingest import html, pdf
from careleaf.ingest.model import Document, ImportProblem
from careleaf.ingest.pdf import read
from careleaf.source.body import slug
from conftest import MINIMAL, REPO, TmpProject

#: The minimal fixture's headings: (level, text, id) as its source gives them.
HEADINGS = [
    (2, "Causes", "causes"), (3, "Tired muscles", "tired"), (3, "Dehydration", "dehydration"),
    (2, "Treatment", "treatment"), (3, "Stretching", "stretching"), (3, "Warmth", "warmth"),
    (2, "When to see a doctor", "see-a-doctor"),
]
PARAGRAPHS = [
    "Leg cramps are sudden, painful tightening of a muscle.",
    "Muscles that worked hard can cramp later.",
    "Not drinking enough water can make cramps more likely.",
    "Stretch the muscle gently until the cramp eases.",
    "A warm bath can help the muscle relax.", "Try one before bed.",
    "See a doctor if cramps keep coming back or wake you every night.",
]


def read_file(path: Path) -> Document:
    return read(path, path.read_bytes())


@pytest.fixture(scope="module")
def built_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """careleaf's own A4 PDF of the minimal leaflet (a draft: DRAFT mark, running footer)."""
    from conftest import MINIMAL, REPO

    root = tmp_path_factory.mktemp("built")
    project = TmpProject(root)
    import shutil

    shutil.copytree(REPO / "layouts", root / "layouts")
    project.write("careleaf.toml", 'layouts = ["a4"]\n')
    project.write("source/en/minimal.md", MINIMAL)
    result = project.run("build", "--layout", "a4")
    assert result.exit_code == 0, result.output
    pdf: Path = project.output("en", "minimal", "minimal-a4.pdf")
    return pdf


def test_careleafs_own_pdf_reads_back_with_its_headings_and_ids(built_pdf: Path) -> None:
    document = read_file(built_pdf)
    assert document.kind == "pdf" and document.title == "Leg cramps"
    assert document.authors == ("Test Author",) and document.lang == "en"
    headings = [(b.level, b.text, b.anchor) for b in document.blocks if b.kind == "heading"]
    assert headings[0] == (1, "Leg cramps", "")
    assert headings[1:] == HEADINGS
    texts = [b.text for b in document.blocks if b.kind == "paragraph"]
    for paragraph in PARAGRAPHS:
        assert paragraph in texts
    items = [b.text for b in document.blocks if b.kind == "item"]
    assert items == ["Hold the stretch for 30 seconds.", "Breathe slowly while you stretch."]
    assert all(b.where == "page 1" for b in document.blocks)


def test_running_footer_and_draft_mark_are_dropped_not_lost(built_pdf: Path) -> None:
    document = read_file(built_pdf)
    dropped = {d.why: d for d in document.dropped}
    footer = [d for d in document.dropped if d.why == "running header or footer"]
    assert " ".join(d.text for d in footer) == (
        "Leg cramps Version 2.1 · Reviewed 1 March 2026 · Next review 1 March 2036 "
        "Page 1 of 1")
    assert {d.where for d in footer} == {"page 1"}
    assert "DRAFT" in dropped["watermark (rotated text)"].text
    everything = " ".join(f"{b.lead} {b.text}" for b in document.blocks)
    assert "Page 1 of 1" not in everything and "DRAFT" not in everything


def test_careleafs_page_furniture_is_dropped_not_lost(built_pdf: Path) -> None:
    document = read_file(built_pdf)
    furniture = [d.text for d in document.dropped if d.why == "careleaf page furniture"]
    assert furniture[0] == "Scan for the ebook"
    assert furniture[1].startswith("When you need help urgently: If you feel very unwell")
    assert furniture[2].startswith("Riverside Community Clinic · Phone 01632 960 000")
    assert furniture[3].startswith("Written by Test Author. Based on: Test source.")
    letterhead = [d.text for d in document.dropped if d.why == "letterhead"]
    assert letterhead == ["PATIENT INFORMATION · RIVERSIDE COMMUNITY CLINIC"]
    everything = " ".join(f"{b.lead} {b.text}" for b in document.blocks)
    assert "Riverside" not in everything and "urgently" not in everything


def test_the_pdf_and_html_readers_know_the_same_furniture() -> None:
    """Every furniture class of html.CARELEAF_FURNITURE that a printed page shows has
    a rule in the PDF reader, so a change to one list is seen in the other."""
    templates = " ".join((REPO / "layouts" / name).read_text(encoding="utf-8") for name in
                         ("base/leaflet.html", "print/leaflet.html", "paper/_macros.html"))
    classes = {c for value in re.findall(r'class="([^"]*)"', templates) for c in value.split()}
    printed = classes & set(html.CARELEAF_FURNITURE)
    assert printed and printed <= set(pdf.CARELEAF_FURNITURE)


def _headings(markdown: str) -> list[str]:
    """The ``{#id}`` of each ``##`` and ``###`` heading, in order, slugged when it has none."""
    found = re.findall(r"^#{2,3} (.*?)(?: \{#([a-z0-9-]+)\})?$", markdown, re.MULTILINE)
    return [anchor or slug(text) for text, anchor in found]


def _paragraphs(markdown: str) -> list[str]:
    """The body's paragraphs and list entries as plain text (emphasis and links undone)."""
    body = markdown.split("\n---\n", 1)[1]
    plain = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", body).replace("**", "").replace("*", "")
    plain = plain.replace("\u2019", "'")  # careleaf typesets an apostrophe as U+2019
    blocks = (" ".join(b.split()).removeprefix("- ") for b in re.split(r"\n\s*\n|\n- ", plain))
    return [b for b in blocks if b and not b.startswith(("#", "!["))]


@pytest.mark.parametrize("leaflet", ["minimal", "chronic-muscle-spasms"])
def test_careleafs_own_a4_pdf_imports_back_with_its_ids(tmp_path: Path, leaflet: str) -> None:
    source = (MINIMAL if leaflet == "minimal" else
              (REPO / "source/en/chronic-muscle-spasms.md").read_text(encoding="utf-8"))
    project = TmpProject(tmp_path)
    shutil.copytree(REPO / "layouts", tmp_path / "layouts")
    project.write("careleaf.toml", 'layouts = ["a4"]\n')
    project.write(f"source/en/{leaflet}.md", source)
    assert project.run("build", "--layout", "a4").exit_code == 0
    started = time.perf_counter()
    built = project.output("en", leaflet, f"{leaflet}-a4.pdf")
    result = project.run("import", str(built), "--id", "back")
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    back = (tmp_path / "source/en/back.md").read_text(encoding="utf-8")
    assert _headings(back) == _headings(source)
    missing = [p for p in _paragraphs(source) if p not in _paragraphs(back)]
    assert not missing
    assert "Riverside" not in back and "Scan for the ebook" not in back
    assert elapsed < 1


def weasyprint_pdf(html: str) -> bytes:
    import weasyprint

    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


PAGE = """<html><head><title>Hiccups</title><style>
@page {{ size: A5; margin: 20mm; @bottom-center {{ content: "Clinic leaflet · Page "
  counter(page) " of " counter(pages); font-size: 8pt }} }}
body {{ font: 11pt/1.3 sans-serif; hyphens: auto }} p {{ margin: 0 0 8pt }}
.h {{ font-weight: bold; margin: 12pt 0 4pt }}
.t {{ font-size: 22pt; font-weight: bold }} .s {{ font-size: 15pt; font-weight: bold }}
</style></head><body lang="en">
<div class="t">Hiccups</div>
<p>Hiccups happen when the muscle under your lungs suddenly tightens.</p>
<div class="s">What can cause hiccups</div>
<div class="h">Eating quickly</div>
<p><b>Big meals.</b> A big meal can stretch your stomach.</p>
{filler}
<div class="s">Things you can try</div>
<p>• Sip ice-cold water.</p>
<p>Some people find that holding their breath helps, though the evidence for this
long-established, time-honoured treat&shy;ment is weak.</p>
</body></html>"""


def test_a_pdf_without_an_outline_gets_headings_from_size_and_weight(tmp_path: Path) -> None:
    filler = "".join(f"<p>Paragraph {n} says little, but it takes up some room on the "
                     "page so that the leaflet runs on to a second page.</p>"
                     for n in range(14))
    path = tmp_path / "hiccups.pdf"
    path.write_bytes(weasyprint_pdf(PAGE.format(filler=filler)))
    document = read_file(path)
    headings = [(b.level, b.text, b.anchor) for b in document.blocks if b.kind == "heading"]
    assert headings == [(1, "Hiccups", ""), (2, "What can cause hiccups", ""),
                        (3, "Eating quickly", ""), (2, "Things you can try", "")]
    assert document.title == "Hiccups"
    lead = next(b for b in document.blocks if b.lead)
    assert (lead.lead, lead.text) == ("Big meals.", "A big meal can stretch your stomach.")
    assert [b.text for b in document.blocks if b.kind == "item"] == ["Sip ice-cold water."]
    last = [b.text for b in document.blocks if b.kind == "paragraph"][-1]
    assert "long-established, time-honoured treatment is weak." in last
    footers = [d.text for d in document.dropped if d.why == "running header or footer"]
    assert footers == ["Clinic leaflet · Page 1 of 2", "Clinic leaflet · Page 2 of 2"]
    assert {b.where for b in document.blocks} == {"page 1", "page 2"}


def test_an_encrypted_pdf_is_a_problem_that_says_what_to_do(built_pdf: Path,
                                                            tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=built_pdf)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ImportProblem, match=r"is encrypted.*unencrypted copy"):
        read(tmp_path / "locked.pdf", out.getvalue())


def test_a_file_that_is_not_a_pdf_is_a_problem(tmp_path: Path) -> None:
    for data in (b"not a PDF at all\n", b"%PDF-1.7\n\x00\xff garbage", b""):
        with pytest.raises(ImportProblem, match="is not a readable PDF"):
            read(tmp_path / "garbage.pdf", data)


def test_a_scan_without_text_needs_ocr_first(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ImportProblem, match=r"no text layer.*OCR") as problem:
        read(tmp_path / "scan.pdf", out.getvalue())
    assert problem.value.where == "page 1"
