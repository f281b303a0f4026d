"""The completeness check: it passes on good outputs and fails on every kind of loss."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import FileRecord
from careleaf.project import Project
from conftest import COMPLETENESS_ONLY, FIXTURES, MINIMAL, TmpProject


def add_fixture_layout(project: TmpProject, name: str) -> None:
    shutil.copytree(FIXTURES / "layouts" / name, project.root / "layouts" / name)


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_check_passes_on_fresh_outputs(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    result = minimal.run("check", "--strict")
    assert result.exit_code == 0, result.output
    assert "checked 1 leaflet(s) and 2 output(s)" in result.stdout


def test_check_without_build_reports_missing_outputs(minimal: TmpProject) -> None:
    result = minimal.run("check")
    assert result.exit_code == 1
    assert "minimal.epub: error: missing: en/minimal has not been built in the epub layout" in (
        result.stderr)


def test_epub_with_one_item_removed_fails(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")

    def remove(pattern: bytes) -> Callable[[bytes], bytes]:
        def change(data: bytes) -> bytes:
            data, count = re.subn(pattern, b"", data, flags=re.S)
            assert count == 1
            return data
        return change

    rewrite_epub(epub, "EPUB/leaflet.xhtml",
                 remove(rb'<section class="item" id="warmth">.*?</section>'))
    rewrite_epub(epub, "EPUB/nav.xhtml", remove(rb'<li>\s*<a href="leaflet.xhtml#warmth">.*?</li>'))
    result = minimal.run("check", "--layout", "epub")
    assert result.exit_code == 1
    line = line_of(MINIMAL, "### Warmth {#warmth}")
    where = f"{minimal.root}/source/en/minimal.md:{line}: error: treatment 'warmth'"
    errors = [e for e in result.stderr.splitlines() if ": error: " in e]
    assert errors == [
        f"{where} is missing from the EPUB navigation under 'Treatment' in {epub}",
        f"{where} has no element with id 'warmth' in the EPUB {epub}",
        f"{where}: its heading is missing in the EPUB text of {epub}",
        f"{where}: its text 'A warm bath can help the muscle relax.' is missing "
        f"in the EPUB text of {epub}",
        f"{where}: its text 'Try one before bed.' is missing in the EPUB text of {epub}",
    ]


def test_pdf_from_a_layout_that_drops_an_item_fails(minimal: TmpProject) -> None:
    add_fixture_layout(minimal, "drops-item")
    assert minimal.run("build", "--layout", "drops-item").exit_code == 0
    result = minimal.run("check", "--layout", "drops-item")
    assert result.exit_code == 1
    pdf = minimal.output("en", "minimal", "minimal-drops-item.pdf")
    assert "Warmth" not in PdfReader(pdf).pages[0].extract_text()
    line = line_of(MINIMAL, "### Warmth {#warmth}")
    assert f"source/en/minimal.md:{line}: error: treatment 'warmth' " in result.stderr
    assert f"in the PDF text of {pdf}" in result.stderr
    assert "is missing from the PDF outline under 'Treatment'" in result.stderr
    assert "has no element with id 'warmth' in the PDF" in result.stderr
    assert "its text 'A warm bath can help the muscle relax.' is missing in the PDF text" in (
        result.stderr)
    assert "'stretching'" not in result.stderr  # the items that are there pass


def test_pdf_missing_one_list_entry_of_an_item_fails(minimal: TmpProject) -> None:
    add_fixture_layout(minimal, "hides-list-entry")
    assert minimal.run("build", "--layout", "hides-list-entry").exit_code == 0
    result = minimal.run("check", "--layout", "hides-list-entry")
    assert result.exit_code == 1
    errors = [e for e in result.stderr.splitlines() if ": error: " in e]
    assert len(errors) == 1
    line = line_of(MINIMAL, "### Stretching {#stretching}")
    pdf = minimal.output("en", "minimal", "minimal-hides-list-entry.pdf")
    assert errors[0] == (f"{minimal.root}/source/en/minimal.md:{line}: error: treatment "
                         "'stretching': its text 'Breathe slowly while you stretch.' is "
                         f"missing in the PDF text of {pdf}")


def test_output_left_stale_after_source_gained_an_item_fails(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    source = minimal.root / "source" / "en" / "minimal.md"
    source.write_text(MINIMAL.replace("\n## When to see a doctor", "\n### Massage {#massage}"
                                      "\n\nRub the muscle gently.\n\n## When to see a doctor"))
    # (Rub is an instruction: no plain-language warning spoils --strict below.)
    result = minimal.run("check")
    assert result.exit_code == 1
    stale = f"warning: was built from an older {source}; run 'careleaf build'"
    assert f"minimal-a4.pdf: {stale}" in result.stderr
    assert f"minimal.epub: {stale}" in result.stderr
    assert "treatment 'massage'" in result.stderr
    assert "is missing from the PDF outline under 'Treatment'" in result.stderr
    assert "is missing from the EPUB navigation under 'Treatment'" in result.stderr
    assert minimal.run("build").exit_code == 0
    assert minimal.run("check", "--strict").exit_code == 0


def test_check_sees_through_hyphenation_and_justified_text(minimal: TmpProject) -> None:
    add_fixture_layout(minimal, "hyphenated")
    long_words = ("Extraordinarily uncomfortable intermittent contractions "
                  "characteristically accompany musculoskeletal overexertion. ") * 3
    minimal.write("source/en/minimal.md",
                  MINIMAL.replace("Muscles that worked hard can cramp later.", long_words))
    assert minimal.run("build", "--layout", "hyphenated").exit_code == 0
    pdf = minimal.output("en", "minimal", "minimal-hyphenated.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "\u2010\n" in text  # the layout really did hyphenate
    result = minimal.run("check", "--layout", "hyphenated", "--strict", *COMPLETENESS_ONLY)
    assert result.exit_code == 0, result.output


OVERVIEW = "Leg cramps are sudden, painful tightening of a muscle."



def build_with_overview(project: TmpProject, paragraph: str) -> PdfReader:
    """Build the A4 PDF of the minimal leaflet with ``paragraph`` as its overview."""
    project.write("source/en/minimal.md", MINIMAL.replace(OVERVIEW, paragraph))
    assert project.run("build", "--layout", "a4").exit_code == 0
    return PdfReader(project.output("en", "minimal", "minimal-a4.pdf"))


def test_paragraph_across_a_page_break_is_found(minimal: TmpProject) -> None:
    paragraph = " ".join(f"Sentence number {n} says something calm and useful." for n in range(90))
    reader = build_with_overview(minimal, paragraph)
    first = reader.pages[0].extract_text()
    assert "Sentence number 0" in first and "Sentence number 89" not in first
    assert "Page 1 of" in first
    assert minimal.run("check", "--layout", "a4", "--strict", *COMPLETENESS_ONLY).exit_code == 0
    shortened = paragraph.replace("Sentence number 60 says", "Sentence number 60")
    minimal.write("source/en/minimal.md", MINIMAL.replace(OVERVIEW, shortened))
    result = minimal.run("check", "--layout", "a4")
    title = line_of(MINIMAL, "title: Leg cramps")
    assert f"minimal.md:{title}: error: overview: its text" in result.stderr
    assert "is missing in the PDF text" in result.stderr


def test_corrupt_output_is_reported_not_a_traceback(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    minimal.output("en", "minimal", "minimal-a4.pdf").write_bytes(b"%PDF-1.7 garbage")
    minimal.output("en", "minimal", "minimal.epub").write_bytes(b"not a zip")
    result = minimal.run("check")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "minimal-a4.pdf: error: cannot be read as a PDF" in result.stderr
    assert "minimal.epub: error: cannot be read as an EPUB" in result.stderr


def test_epubcheck_passes_with_no_errors_or_warnings(project: TmpProject) -> None:
    from conftest import REPO

    text = (REPO / "source/en/chronic-muscle-spasms.md").read_text()
    project.write("source/en/chronic-muscle-spasms.md", text)
    assert project.run("build", "--layout", "epub").exit_code == 0
    result = project.run("check", "--layout", "epub", "--epubcheck", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_epubcheck_findings_are_reported(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    rewrite_epub(epub, "EPUB/content.opf",
                 lambda data: data.replace(b"<dc:language>en</dc:language>", b""))
    result = minimal.run("check", "--layout", "epub", "--epubcheck")
    assert result.exit_code == 1
    assert f"{epub}: error: EPUBCheck RSC-005:" in result.stderr


def rewrite_epub(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of an EPUB in place, as a faulty build would have written it:
    recorded in the manifest, so that only what the file holds is at fault."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data) if info.filename == member else data)
    path.write_bytes(out.getvalue())
    record_as_built(path)


def record_as_built(output: Path) -> None:
    """Have the manifest say the build wrote ``output`` as it is now."""
    manifest = Manifest(Project.find(output.parent))
    entry = manifest.entries[manifest.key(output)]
    files = {manifest.project.build_dir / name: record for name, record in entry.files.items()}
    files[output] = FileRecord.of(output, output.read_bytes())
    manifest.record(output, entry.inputs, entry.look, entry.toolchain, files)
    manifest.save()


def test_similar_item_titles_are_told_apart(minimal: TmpProject) -> None:
    text = MINIMAL.replace("### Stretching {#stretching}", "### Stretching more often {#often}")
    text = text.replace("### Warmth {#warmth}", "### Stretching more {#more}")
    minimal.write("source/en/minimal.md", text)
    assert minimal.run("build").exit_code == 0
    result = minimal.run("check", "--strict")
    assert result.exit_code == 0, result.output


def test_section_without_its_anchor_fails(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    rewrite_epub(epub, "EPUB/leaflet.xhtml",
                 lambda data: data.replace(b'id="causes"', b'id="reasons"'))
    result = minimal.run("check", "--layout", "epub")
    assert result.exit_code == 1
    line = line_of(MINIMAL, "## Causes {#causes}")
    assert (f"minimal.md:{line}: error: section 'causes' has no element with id 'causes' "
            f"in the EPUB {epub}") in result.stderr


def test_epub_heading_moved_out_of_its_element_fails(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    rewrite_epub(epub, "EPUB/leaflet.xhtml", lambda data: data.replace(
        b'<section class="item" id="warmth">', b'<p>Warmth</p><section class="item" id="warmth">'
    ).replace(b"<h3>Warmth</h3>", b""))
    result = minimal.run("check", "--layout", "epub")
    assert result.exit_code == 1
    assert ("its heading is not at the start of the element with id 'warmth' in the EPUB text"
            in result.stderr)


def test_epub_without_navigation_is_unreadable_not_a_crash(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    rewrite_epub(epub, "EPUB/content.opf", lambda data: data.replace(b' properties="nav"', b""))
    result = minimal.run("check", "--layout", "epub")
    assert result.exit_code == 1
    assert "minimal.epub: error: cannot be read as an EPUB: 'no navigation document" in (
        result.stderr)


def test_paragraph_longer_than_a_page_is_found(minimal: TmpProject) -> None:
    paragraph = " ".join(f"Line {n} of a very long and patient explanation." for n in range(420))
    reader = build_with_overview(minimal, paragraph)
    spread = [n for n, page in enumerate(reader.pages) if "explanation" in page.extract_text()]
    assert len(spread) >= 3  # the paragraph really runs over at least two page breaks
    assert minimal.run("check", "--layout", "a4", "--strict", *COMPLETENESS_ONLY).exit_code == 0


def test_output_older_than_its_layout_is_reported_stale(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    css = minimal.root / "layouts" / "print" / "print.css"
    css.touch()  # the same bytes: not stale
    assert minimal.run("check", "--strict").exit_code == 0
    css.write_text(css.read_text() + "\n/* another look */\n")
    result = minimal.run("check", "--strict")
    assert result.exit_code == 1
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    # The ebook too: its page list follows the A4 pages, which the stylesheet lays out.
    epub = minimal.output("en", "minimal", "minimal.epub")
    assert warnings == [f"{path}: warning: was built with another version of the {layout} "
                        "layout or of the brand; run 'careleaf build' to update it"
                        for path, layout in ((pdf, "a4"), (epub, "epub"))]
