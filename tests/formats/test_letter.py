"""US Letter: the same design as A4 on a page 18 mm shorter, without a stranded contact block.

Measured before ``layouts/letter/letter.css``: chronic-muscle-spasms took 3 Letter pages
where A4 takes 2, and page 3 held only the contact block and the sources (filled 12%,
``careleaf.check.fill``). With Letter's own margins and spacing it takes 2 (page 2
filled 90%); the Arabic leaflet stays on 2, and the Spanish one on 3, as in A4, its
last page holding the "see a doctor" box as well as the contact block.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader

from careleaf.check.fill import measure
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project
from conftest import MINIMAL, REPO, TmpProject

LEAFLET = "chronic-muscle-spasms"
#: The clinic's phone number: in the contact block only.
PHONE = "01632 960 000"


def pages(project: TmpProject, lang: str, leaflet_id: str, layout: str) -> list[str]:
    pdf = project.output(lang, leaflet_id, f"{leaflet_id}-{layout}.pdf")
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


def type_sizes(pdf: Path) -> set[float]:
    """Every size text is set in, in points."""
    sizes: set[float] = set()
    for page in PdfReader(pdf).pages:
        def visit(text: str, cm: list[float], tm: list[float], font: object,
                  size: float) -> None:
            if text.strip():
                sizes.add(round(size * abs(tm[3]) * abs(cm[3]), 1))
        page.extract_text(visitor_text=visit)
    return sizes


def contact_page_opens_with_it(texts: list[str]) -> bool:
    """Whether the page holding the contact block has nothing above it but the footer."""
    [page] = [text for text in texts if PHONE in text]
    return page.startswith("Riverside Community Clinic")


def test_the_repository_leaflets_keep_their_contact_block_company_in_letter(
        project: TmpProject) -> None:
    for lang in ("en", "es", "ar"):
        shutil.copy(REPO / "source" / lang / f"{LEAFLET}.md",
                    project.write(f"source/{lang}/{LEAFLET}.md", ""))
    result = project.run("build", "--layout", "a4", "--layout", "letter", "--no-proofs")
    assert result.exit_code == 0, result.stderr
    count = {(lang, layout): len(pages(project, lang, LEAFLET, layout))
             for lang in ("en", "es", "ar") for layout in ("a4", "letter")}
    assert count == {("en", "a4"): 2, ("en", "letter"): 2, ("es", "a4"): 3,
                     ("es", "letter"): 3, ("ar", "a4"): 2, ("ar", "letter"): 2}
    layouts = load_layouts(Project(project.root), Report())
    pdf = project.output("en", LEAFLET, f"{LEAFLET}-letter.pdf")
    [last] = measure(pdf, layouts["letter"])
    assert last.label == "page 2 of 2 (the last)" and last.filled >= 0.4
    for lang in ("en", "es", "ar"):
        assert not contact_page_opens_with_it(pages(project, lang, LEAFLET, "letter"))
    assert "Cuándo ir al médico" in pages(project, "es", LEAFLET, "letter")[-1]
    # The type is A4's: the same sizes (12 pt body, 26 pt title), none smaller.
    sizes = {layout: type_sizes(project.output("en", LEAFLET, f"{LEAFLET}-{layout}.pdf"))
             for layout in ("a4", "letter")}
    assert sizes["letter"] == sizes["a4"] and {12.0, 26.0} <= sizes["a4"]
    result = project.run("check", "--layout", "letter", "--skip", "readability",
                         "--skip", "plain-language")
    assert result.exit_code == 0, result.output
    assert f"en/{LEAFLET}.md: warning: the letter layout leaves" not in result.output
    assert f"ar/{LEAFLET}.md: warning: the letter layout leaves" not in result.output


def test_a_leaflet_that_runs_over_takes_its_last_section_along_with_the_contact_block(
        project: TmpProject) -> None:
    # Overviews of these lengths put the contact block at the top of a new page unless
    # print.css keeps it with what comes before: the "see a doctor" box comes along.
    stranded = {}
    for rule in (True, False):
        if not rule:
            css = project.root / "layouts/print/print.css"
            kept = ".contact, .about {\n  break-before: avoid;\n}"
            assert kept in css.read_text()
            css.write_text(css.read_text().replace(kept, ""))
        for sentences in range(300, 316, 3):
            overview = " ".join(f"Rest the leg {n} times a day." for n in range(sentences))
            project.write("source/en/minimal.md", MINIMAL.replace(
                "a muscle.", f"a muscle. {overview}", 1))
            result = project.run("build", "--layout", "letter", "--no-proofs")
            assert result.exit_code == 0, result.stderr
            stranded[rule, sentences] = contact_page_opens_with_it(
                pages(project, "en", "minimal", "letter"))
    assert not any(alone for (rule, _), alone in stranded.items() if rule), stranded
    assert any(alone for (rule, _), alone in stranded.items() if not rule), stranded


def test_a4_has_no_letter_spacing(project: TmpProject) -> None:
    layouts = load_layouts(Project(project.root), Report())
    assert [Path(sheet).name for sheet in layouts["a4"].stylesheets] == [
        "base.css", "paper.css", "print.css"]
    assert Path(layouts["letter"].stylesheets[-1]).name == "letter.css"
