"""End-to-end builds with the real renderers: what lands in the PDF and the EPUB."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree
from pypdf import PdfReader

from careleaf.formats.epub import NAMESPACE
from conftest import REPO, TmpProject

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def outline_titles(reader: PdfReader) -> list[object]:
    def walk(nodes: Sequence[Any]) -> list[object]:
        return [walk(n) if isinstance(n, list) else str(n.title) for n in nodes]
    return walk(reader.outline)


def test_build_writes_pdf_and_epub(minimal: TmpProject) -> None:
    result = minimal.run("build")
    assert result.exit_code == 0, result.output
    assert "2 built, 0 up to date, 0 failed" in result.stdout
    assert minimal.output("en", "minimal", "minimal-a4.pdf").is_file()
    assert minimal.output("en", "minimal", "minimal.epub").is_file()


def test_pdf_has_outline_metadata_footer_and_tags(approved: TmpProject) -> None:
    assert approved.run("build", "--layout", "a4").exit_code == 0
    reader = PdfReader(approved.output("en", "minimal", "minimal-a4.pdf"))
    assert outline_titles(reader) == [
        "Leg cramps",
        ["Causes", ["Tired muscles", "Dehydration"],
         "Treatment", ["Stretching", "Warmth"], "When to see a doctor"],
    ]
    meta: Any = reader.metadata
    assert meta is not None
    assert meta.title == "Leg cramps"
    assert str(meta["/Author"]) == "Test Author"
    assert meta["/CreationDate"].startswith("D:20260301")
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert {"causes", "tired", "dehydration", "stretching", "warmth"} <= set(
        reader.named_destinations)
    text = reader.pages[0].extract_text()
    assert "Version 2.1" in text and "Reviewed 1 March 2026" in text
    assert "Next review 1 March 2036" in text and "Page 1 of 1" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points


def test_pdf_embeds_fonts_and_body_is_at_least_12pt(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "a4").exit_code == 0
    page = PdfReader(minimal.output("en", "minimal", "minimal-a4.pdf")).pages[0]
    fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
    for ref in fonts.values():
        descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
    sizes: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes[text.strip()] = size * abs(tm[3]) * abs(cm[3])

    page.extract_text(visitor_text=visit)
    body = [size for text, size in sizes.items() if "Muscles that worked hard" in text]
    assert body and min(body) >= 12 - 0.01, sizes


def test_epub_metadata_identifier_and_navigation(approved: TmpProject) -> None:
    assert approved.run("build", "--layout", "epub").exit_code == 0
    with zipfile.ZipFile(approved.output("en", "minimal", "minimal.epub")) as book:
        assert book.namelist()[0] == "mimetype"
        assert book.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
        content = etree.fromstring(book.read("EPUB/leaflet.xhtml"))
    assert opf.findtext(".//dc:language", namespaces=OPF) == "en"
    assert opf.findtext(".//dc:title", namespaces=OPF) == "Leg cramps"
    assert opf.findtext(".//dc:identifier", namespaces=OPF) == (
        f"urn:uuid:{uuid.uuid5(NAMESPACE, 'en/minimal')}")
    assert opf.findtext(".//opf:meta[@property='dcterms:modified']", namespaces=OPF) == (
        "2026-03-01T00:00:00Z")
    anchors = nav.iterfind(".//x:nav//x:a", XHTML)
    links = [(a.get("href"), "".join(str(t) for t in a.itertext())) for a in anchors]
    assert ("leaflet.xhtml#tired", "Tired muscles") in links
    assert ("leaflet.xhtml#dehydration", "Dehydration") in links
    assert ("leaflet.xhtml#warmth", "Warmth") in links
    assert ("leaflet.xhtml#causes", "Causes") in links
    assert content.find(".//x:section[@id='stretching']", XHTML) is not None
    assert content.get("lang") == "en"


def test_outputs_are_byte_identical_across_builds(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    epub = minimal.output("en", "minimal", "minimal.epub")
    first = pdf.read_bytes(), epub.read_bytes()
    assert minimal.run("build", "--force").exit_code == 0
    assert (pdf.read_bytes(), epub.read_bytes()) == first


def test_second_build_renders_nothing_and_never_imports_weasyprint(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    code = (
        "import sys\nfrom careleaf.cli import main\n"
        f"try:\n    main(['build', '-C', {str(minimal.root)!r}])\n"
        "except SystemExit as exc:\n    print('exit', exc.code)\n"
        "print('weasyprint' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "0 built, 2 up to date, 0 failed" in out
    assert out.splitlines()[-2:] == ["exit 0", "False"]


def test_edits_rebuild_only_what_depends_on_them(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    css = minimal.root / "layouts" / "epub" / "epub.css"
    css.write_text(css.read_text() + "\n/* tweak */\n")
    result = minimal.run("build")
    assert "1 built, 1 up to date" in result.stdout and "minimal.epub" in result.stdout
    # The ebook marks the A4 pages, so the A4 design is part of it too.
    css = minimal.root / "layouts" / "print" / "print.css"
    css.write_text(css.read_text() + "\n/* tweak */\n")
    assert "2 built, 0 up to date" in minimal.run("build").stdout
    base = minimal.root / "layouts" / "base" / "base.css"
    base.write_text(base.read_text() + "\n/* tweak */\n")
    assert "2 built, 0 up to date" in minimal.run("build").stdout
    source = minimal.root / "source" / "en" / "minimal.md"
    source.write_text(source.read_text().replace("A warm bath", "A warm shower"))
    assert "2 built, 0 up to date" in minimal.run("build").stdout


def test_a_failing_leaflet_keeps_its_old_output_and_others_still_build(
        minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    before = pdf.read_bytes()
    source = minimal.root / "source" / "en" / "minimal.md"
    source.write_text(source.read_text().replace("## Causes {#causes}", "## Causes {#kauses}"))
    minimal.write("source/en/other.md", (REPO / "tests/fixtures/minimal/source/en/minimal.md")
                  .read_text())
    result = minimal.run("build")
    assert result.exit_code == 1
    assert "the 'causes' section is missing" in result.stderr
    assert pdf.read_bytes() == before
    assert minimal.output("en", "other", "other-a4.pdf").is_file()
    assert not list(Path(pdf.parent).glob(".*.tmp"))


def test_unknown_layout_is_an_error(minimal: TmpProject) -> None:
    result = minimal.run("build", "--layout", "nope")
    assert result.exit_code == 1
    assert ("no buildable layout 'nope' (available: a4, booklet-a5, epub, large-print, letter, "
            "trifold-a4, trifold-letter)") in result.stderr


def test_layouts_command_lists_layouts(minimal: TmpProject) -> None:
    result = minimal.run("layouts")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("a4") and "pdf" in line and "extends print" in line
               for line in lines)
    assert any(line.startswith("base") and "base" in line for line in lines)


def test_pdf_with_an_image_is_identical_when_built_in_another_folder(tmp_path: Path) -> None:
    from PIL import Image

    from conftest import MINIMAL

    outputs = []
    for folder in ("first", "elsewhere/second"):
        root = tmp_path / folder
        shutil.copytree(REPO / "layouts", root / "layouts")
        project = TmpProject(root)
        project.write("source/en/minimal.md", MINIMAL + "\n![A warm bath](img/bath.png)\n")
        (root / "source/en/img").mkdir(parents=True)
        Image.new("RGB", (8, 8), (10, 85, 97)).save(root / "source/en/img/bath.png")
        assert project.run("build").exit_code == 0
        outputs.append((project.output("en", "minimal", "minimal-a4.pdf").read_bytes(),
                        project.output("en", "minimal", "minimal.epub").read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"/Subtype /Image" in outputs[0][0] or b"/Image" in outputs[0][0]


def test_epub_accessibility_metadata_follows_its_content(minimal: TmpProject) -> None:
    def properties(name: str) -> dict[str, list[str]]:
        with zipfile.ZipFile(minimal.output("en", name, f"{name}.epub")) as book:
            opf = etree.fromstring(book.read("EPUB/content.opf"))
        found: dict[str, list[str]] = {}
        for meta in opf.iterfind(".//opf:meta[@property]", OPF):
            found.setdefault(str(meta.get("property")), []).append(meta.text or "")
        return found

    minimal.write("layouts/brands/plain.yml", (REPO / "layouts/brands/default.yml").read_text()
                  .replace("logo: default-logo.svg\n", ""))
    assert minimal.run("build", "--layout", "epub", "--brand", "plain").exit_code == 0
    plain = minimal.root / "build/brands/plain/en/minimal/minimal.epub"
    with zipfile.ZipFile(plain) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    modes = [m.text for m in opf.iterfind(".//opf:meta[@property='schema:accessMode']", OPF)]
    assert modes == ["textual"]
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    found = properties("minimal")
    assert found["schema:accessMode"] == ["textual", "visual"]  # the clinic's logo
    assert found["schema:accessModeSufficient"] == ["textual"]
    assert "alternativeText" in found["schema:accessibilityFeature"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(
        found["schema:accessibilityFeature"])
    assert found["schema:accessibilityHazard"] == ["none"]
    assert found["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_epub_has_a_generated_cover_and_landmarks(approved: TmpProject) -> None:
    from PIL import Image

    assert approved.run("build", "--layout", "epub").exit_code == 0
    with zipfile.ZipFile(approved.output("en", "minimal", "minimal.epub")) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
        page = etree.fromstring(book.read("EPUB/cover.xhtml"))
        cover = Image.open(io.BytesIO(book.read("EPUB/images/cover.png")))
    item = opf.find(".//opf:item[@properties='cover-image']", OPF)
    assert item is not None and item.get("href") == "images/cover.png"
    assert cover.size == (1200, 1800)
    assert next(ref.get("idref") for ref in opf.iterfind(".//opf:itemref", OPF)) == "cover"
    img = page.find(".//x:img", XHTML)
    assert img is not None and img.get("alt") == (
        "Cover: Leg cramps. Patient information from Riverside Community Clinic.")
    epub_type = "{http://www.idpf.org/2007/ops}type"
    landmarks = [n for n in nav.iterfind(".//x:nav", XHTML) if n.get(epub_type) == "landmarks"]
    kinds = [a.get(epub_type) for a in landmarks[0].iterfind(".//x:a", XHTML)]
    assert kinds == ["cover", "bodymatter", "toc"]


def test_a_build_loads_only_the_build_command(minimal: TmpProject) -> None:
    """Commands are loaded when they run: a build never imports the check, the server or
    the catalogue tools (and so pays nothing for them)."""
    assert minimal.run("build").exit_code == 0
    others = ("careleaf.check.runner", "careleaf.site.serve", "careleaf.i18n.catalogue",
              "careleaf.commands.check", "careleaf.commands.serve")
    code = (
        "import sys\nfrom careleaf.cli import main\n"
        f"try:\n    main(['build', '-C', {str(minimal.root)!r}])\n"
        "except SystemExit as exc:\n    print('exit', exc.code)\n"
        f"print(sorted(m for m in {others!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-2:] == ["exit 0", "[]"]
