"""The HTML and Word readers: a saved article page with realistic debris, careleaf's own
page and EPUB page read back with their ids, Word documents made here with python-docx,
bad inputs, and ``careleaf import`` of each end to end."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from pathlib import Path

import docx
import pytest

from careleaf.ingest import docx as docx_reader
from careleaf.ingest import html
from careleaf.ingest.model import Block, Document, ImportProblem
from conftest import FIXTURES, TmpProject

ARTICLE = FIXTURES / "import" / "leg-cramps-article.html"
#: Each article block: (kind, level, lead, text start).
KEPT = [
    ("heading", 1, "", "Leg cramps: causes, relief and when to worry"),
    ("paragraph", 0, "", "A leg cramp is a sudden"), ("paragraph", 0, "", "Leg cramps are very"),
    ("heading", 2, "", "What causes leg cramps?"), ("paragraph", 0, "", "Often there is no"),
    ("item", 0, "Tired muscles.", "Exercising harder"),
    ("item", 0, "Not drinking enough.", "Losing fluid"),
    ("item", 0, "Some medicines.", "Water tablets"), ("item", 0, "", "Pregnancy, especially"),
    ("heading", 3, "", "Cramps at night"), ("paragraph", 0, "", "Night cramps usually"),
    ("heading", 2, "", "How to ease a cramp"), ("paragraph", 0, "", "These steps can"),
    ("paragraph", 0, "Rest.", "Stop running"), ("paragraph", 0, "Stretch.", "Straighten your"),
    ("item", 0, "", "Stand facing a wall"), ("item", 0, "", "Step one foot back"),
    ("item", 0, "", "Hold for 30 seconds"), ("paragraph", 0, "Warmth.", "A warm bath"),
    ("heading", 2, "", "When to see a doctor"), ("paragraph", 0, "", "See a GP if"),
    ("paragraph", 0, "", "Call 111 straight away"),
]
#: Debris, and the reason it must be reported with.
DEBRIS = {
    "We use cookies to give you the best experience": "cookie banner",
    "Accept all cookies": "cookie banner",
    "Health A to Z": "navigation",
    "Sore feet after a long shift?": "advertising",
    "Sleep better tonight": "advertising",
    "By Dr Priya Raman, GP": "byline",
    "14 April 2026 · 5 min read": "byline",
    "Share this": "share buttons",
    "Get our health newsletter": "newsletter sign-up",
    "Related articles": "related articles",
    "Sciatica: 7 stretches that really work": "related articles",
    "I get these every night and tonic water": "comments",
    "Banana before bed": "comments",
    "© 2026 HealthNews Daily Ltd.": "footer",
    "Privacy policy": "navigation",
}


def _shape(blocks: tuple[Block, ...]) -> list[tuple[str, int, str, str]]:
    return [(b.kind, b.level, b.lead, b.text) for b in blocks]


def _read_article() -> Document:
    return html.read(ARTICLE, ARTICLE.read_bytes())


def test_the_article_is_kept_whole_with_its_structure() -> None:
    document = _read_article()
    shape = _shape(document.blocks)
    assert len(shape) == len(KEPT)
    for (kind, level, lead, text), expected in zip(shape, KEPT, strict=True):
        assert (kind, level, lead) == expected[:3] and text.startswith(expected[3]), text
    anchors = [b.anchor for b in document.blocks if b.kind == "heading"]
    assert anchors == ["leg-cramps", "causes", "night-cramps", "relief", "see-a-doctor"]
    assert document.title == "Leg cramps: causes, relief and when to worry"
    assert document.authors == ("Dr Priya Raman",)
    assert document.origin == "https://www.healthnews-daily.example.com/conditions/leg-cramps"
    assert document.lang == "en"


def test_every_piece_of_debris_is_dropped_and_reported_with_why() -> None:
    document = _read_article()
    kept = " ".join(f"{b.lead} {b.text}" for b in document.blocks)
    for text, why in DEBRIS.items():
        assert text not in kept
        found = [d for d in document.dropped if d.text.startswith(text)]
        assert found and found[0].why == why, (text, found)
        assert found[0].where.startswith("line ")


def test_nothing_is_fetched_and_a_page_reads_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    _read_article()  # the first read pays for importing trafilatura
    started = time.perf_counter()
    _read_article()
    elapsed = time.perf_counter() - started
    print(f"article page read in {elapsed * 1000:.0f} ms")
    assert elapsed < 1


def _ids(blocks: tuple[Block, ...]) -> list[str]:
    return [b.anchor for b in blocks if b.kind == "heading" and b.level > 1]


def test_careleafs_own_page_comes_back_with_its_ids(approved: TmpProject) -> None:
    assert approved.publish("--today", "2026-12-06").exit_code == 0
    page = approved.root / "build/site/en/minimal/index.html"
    document = html.read(page, page.read_bytes())
    assert _ids(document.blocks) == ["causes", "tired", "dehydration", "treatment",
                                     "stretching", "warmth", "see-a-doctor"]
    texts = [b.text for b in document.blocks]
    assert texts[:2] == ["Leg cramps", "What brings on leg cramps and what helps."]
    assert "Hold the stretch for 30 seconds." in texts
    assert not any("About this leaflet" in t or "When you need help" in t for t in texts)
    assert {d.why for d in document.dropped} >= {"careleaf page furniture"}


def test_careleafs_epub_page_comes_back_with_its_ids(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    with zipfile.ZipFile(minimal.output("en", "minimal", "minimal.epub")) as epub:
        page = epub.read("EPUB/leaflet.xhtml")
    document = html.read(Path("leaflet.xhtml"), page)
    assert _ids(document.blocks) == ["causes", "tired", "dehydration", "treatment",
                                     "stretching", "warmth", "see-a-doctor"]
    assert document.title == "Leg cramps"


def test_a_page_without_an_article_is_a_problem() -> None:
    page = (b"<html><body><nav><a href='/'>Home</a></nav>"
            b"<div id='cookie-banner'>We use cookies.</div></body></html>")
    with pytest.raises(ImportProblem, match="no article text found: save the page again"):
        html.read(Path("empty.html"), page)


def _word_document() -> bytes:
    document = docx.Document()
    document.core_properties.author = "Dr Priya Raman; Tom Ellis"
    document.core_properties.title = "Leg cramps"
    document.add_heading("Leg cramps", level=1)
    document.add_paragraph("A leg cramp is a sudden, painful tightening of a muscle.")
    document.add_heading("What causes leg cramps?", level=2)
    document.add_paragraph("Tired muscles after hard exercise", style="List Bullet")
    document.add_paragraph("Not drinking enough water", style="List Bullet")
    document.add_heading("How to ease a cramp", level=2)
    paragraph = document.add_paragraph()
    paragraph.add_run("Rest.").bold = True
    paragraph.add_run(" Stop running and sit down until the cramp passes.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_document_becomes_structure() -> None:
    document = docx_reader.read(Path("cramps.docx"), _word_document())
    assert _shape(document.blocks) == [
        ("heading", 1, "", "Leg cramps"),
        ("paragraph", 0, "", "A leg cramp is a sudden, painful tightening of a muscle."),
        ("heading", 2, "", "What causes leg cramps?"),
        ("item", 0, "", "Tired muscles after hard exercise"),
        ("item", 0, "", "Not drinking enough water"),
        ("heading", 2, "", "How to ease a cramp"),
        ("paragraph", 0, "Rest.", "Stop running and sit down until the cramp passes."),
    ]
    assert document.title == "Leg cramps"
    assert document.authors == ("Dr Priya Raman", "Tom Ellis")
    assert document.blocks[3].where == "paragraph 4"


@pytest.mark.parametrize(("data", "message"), [
    (_word_document()[:2000], "not a readable Word document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Word document (.doc)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
     "password-protected"),
    (b"just some text", "not a readable Word document"),
])
def test_a_bad_word_document_says_what_to_do(data: bytes, message: str) -> None:
    with pytest.raises(ImportProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        docx_reader.read(Path("bad.docx"), data)


def test_import_a_web_page_end_to_end(project: TmpProject) -> None:
    page = project.write("leg-cramps.html", ARTICLE.read_bytes())
    result = project.run("import", str(page))
    assert result.exit_code == 0, result.output
    draft = next((project.root / "source" / "en").glob("*.md")).read_text(encoding="utf-8")
    assert "{#causes}" in draft and "Stop running" in draft
    assert "tonic water" not in draft and "cookies" not in draft


def test_import_a_word_document_end_to_end(project: TmpProject) -> None:
    document = project.write("cramps.docx", _word_document())
    result = project.run("import", str(document))
    assert result.exit_code == 0, result.output
    draft = (project.root / "source/en/leg-cramps.md").read_text(encoding="utf-8")
    assert "Tom Ellis" in draft and "Not drinking enough water" in draft
    assert "### Rest {#rest}\n\nStop running" in draft
