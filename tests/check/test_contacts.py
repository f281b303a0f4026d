"""The clinic's contact details read back whole from every output (``check/contacts.py``),
and are set whole in right-to-left leaflets (the ``isolate`` filter, ``i18n/ltr_runs.py``).

The repository's Arabic leaflet is built as a user builds it, on A4 and on the A4
tri-fold, where its phone number once broke across two lines with its parts out of
order (``…الهاتف: 01632``, then ``1 River Road, Riverside RV1 2AB · 960 000``) and
``check`` passed it.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_check import add_fixture_layout

from careleaf.check.readback import NS, Readback, read_pdf, words
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.formats.panels import panel_regions
from careleaf.project import Project
from conftest import COMPLETENESS_ONLY, FIXTURES, REPO, TmpProject

SOURCE = "source/ar/chronic-muscle-spasms.md"
BRAND = "layouts/brands/default.yml"
PHONE = "01632 960 000"
WEBSITE = "https://riverside-clinic.example.org"
EMAIL = "leaflets@riverside-clinic.example.org"
ADDRESS = "1 River Road, Riverside RV1 2AB"


def brand_line(project: TmpProject, key: str) -> int:
    lines = (project.root / BRAND).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:"))


def line_holding(back: Readback, text: str) -> list[str] | None:
    """The first line read back that holds ``text``'s words whole, one after another."""
    wanted = f" {' '.join(words(text))} "
    return next((line for line in back.lines if wanted in f" {' '.join(line)} "), None)


def errors_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """The repository's leaflets, its Arabic one built on A4, the A4 tri-fold and EPUB."""
    root = tmp_path_factory.mktemp("arabic")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "source", root / "source")
    (root / "careleaf.toml").write_text('layouts = ["a4", "trifold-a4", "epub"]\n',
                                        encoding="utf-8")
    project = TmpProject(root)
    result = project.run("build", str(root / SOURCE))
    assert result.exit_code == 0, result.output
    return project


@pytest.mark.parametrize("layout", ["a4", "trifold-a4"])
def test_the_arabic_leaflet_reads_back_its_contact_details_whole(arabic: TmpProject,
                                                                 layout: str) -> None:
    pdf = arabic.output("ar", "chronic-muscle-spasms", f"chronic-muscle-spasms-{layout}.pdf")
    # A tri-fold sheet is read panel by panel, as the completeness check reads it.
    regions = (panel_regions(load_layouts(Project(arabic.root), Report())[layout], "rtl")
               if layout.startswith("trifold") else ())
    back = read_pdf(pdf, regions)
    assert back.visual_rtl
    phone_line = line_holding(back, PHONE)
    assert phone_line is not None, back.lines
    assert "الهاتف" in phone_line  # the label stays with its number
    assert line_holding(back, WEBSITE) is not None
    assert line_holding(back, EMAIL) is not None
    assert all(word in [w for line in back.lines for w in line] for word in words(ADDRESS))


def test_the_arabic_leaflet_passes_the_check(arabic: TmpProject) -> None:
    result = arabic.run("check", str(arabic.root / SOURCE), *COMPLETENESS_ONLY)
    assert result.exit_code == 0, result.output
    assert "checked 1 leaflet(s) and 3 output(s)" in result.stdout


def test_the_arabic_ebook_isolates_the_contact_details(arabic: TmpProject) -> None:
    epub = arabic.output("ar", "chronic-muscle-spasms", "chronic-muscle-spasms.epub")
    with zipfile.ZipFile(epub) as book:
        document = etree.fromstring(book.read("EPUB/leaflet.xhtml"))
    footer = document.find(".//x:footer", NS)
    assert footer is not None

    def direction_of(text: str) -> tuple[str | None, bool]:
        """The nearest ``dir`` around ``text`` in the contact block, and whether it is
        kept on one line."""
        found = next(e for e in footer.iter() if (e.text or "").strip() == text)
        around = [found, *found.iterancestors()]
        unbroken = any("unbroken" in (e.get("class") or "") for e in around)
        return next((e.get("dir") for e in around if e.get("dir")), None), unbroken

    for text in (PHONE, WEBSITE, EMAIL):
        assert direction_of(text) == ("ltr", True), text
    assert direction_of("Riverside RV1 2AB") == ("ltr", True)  # its address, by parts
    link = next(a for a in footer.iter(f"{{{NS['x']}}}a") if a.get("href", "").endswith(".epub"))
    assert link.get("dir") == "ltr"  # the ebook's address: isolated, free to wrap


def test_a_phone_number_split_across_lines_is_an_error_at_the_brand(tmp_path: Path) -> None:
    shutil.copytree(REPO / "layouts", tmp_path / "layouts")
    (tmp_path / "careleaf.toml").write_text('layouts = ["a4", "splits-phone"]\n',
                                            encoding="utf-8")
    project = TmpProject(tmp_path)
    project.write("source/ar/minimal.md", (FIXTURES / "readback" / "source" / "ar" / "minimal.md")
                  .read_text(encoding="utf-8"))
    add_fixture_layout(project, "splits-phone")
    assert project.run("build").exit_code == 0
    result = project.run("check", *COMPLETENESS_ONLY)
    assert result.exit_code == 1
    pdf = project.output("ar", "minimal", "minimal-splits-phone.pdf")
    assert errors_of(result.stderr) == [
        f"{tmp_path}/{BRAND}:{brand_line(project, 'phone')}: error: the brand's phone number "
        f"'{PHONE}' is not whole on one line (split, or its parts out of order) in the PDF "
        f"text of {pdf}"]  # and not in the A4 leaflet, built from the same source


def test_a_contact_detail_missing_from_the_outputs_is_an_error(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    brand = minimal.root / BRAND
    brand.write_text(brand.read_text(encoding="utf-8").replace(PHONE, "01632 960 999"),
                     encoding="utf-8")  # the outputs show the old number
    result = minimal.run("check", *COMPLETENESS_ONLY)
    assert result.exit_code == 1
    where = f"{brand}:{brand_line(minimal, 'phone')}: error: the brand's phone number"
    assert errors_of(result.stderr) == [
        f"{where} '01632 960 999' is missing from the {kind} text of "
        f"{minimal.output('en', 'minimal', name)}"
        for kind, name in (("PDF", "minimal-a4.pdf"), ("EPUB", "minimal.epub"))]
