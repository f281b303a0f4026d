"""The leaflet register with the real CLI: the CSV read back, the page parsed, and the
repository's own register opened in Chromium (screenshots for people to look at).

One project holds a leaflet of each kind a lead must tell apart: published, draft,
overdue, and one whose source has errors; it is built, checked and published once,
as ``make`` does, and its register written with a fixed ``--today``.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from careleaf.cli import main
from careleaf.config import Config
from careleaf.publish.register import COLUMNS, Register, Row, html_text
from conftest import APPROVED, FIXTURES, MINIMAL, REPO, TmpProject

TODAY = ("--today", "2026-12-06")
DRAFT = MINIMAL.replace("next_review: 2036-03-01", "next_review: 2030-01-01")
OVERDUE = APPROVED.replace("next_review: 2036-03-01", "next_review: 2026-11-24")
#: Approved without its approver: an error at its line, so the source does not load.
BROKEN = APPROVED.replace("approved_by: Test Approver\n", "").replace(
    "next_review: 2036-03-01", "next_review: 2031-05-01")

SCREENSHOTS = REPO / "build" / "screenshots"
A4_LANDSCAPE = (842, 595)  # points


@dataclass
class Registered:
    project: TmpProject
    output: str

    @property
    def reports(self) -> Path:
        return self.project.root / "build" / "reports"

    def rows(self) -> list[dict[str, str]]:
        with open(self.reports / "register.csv", encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    def row(self, name: str) -> dict[str, str]:
        return next(row for row in self.rows() if row["id"] == name)


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Registered:
    root = tmp_path_factory.mktemp("register")
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "careleaf.toml").write_text('layouts = ["a4", "epub"]\n', encoding="utf-8")
    project = TmpProject(root)
    for name, text in (("minimal", APPROVED), ("draft", DRAFT), ("overdue", OVERDUE),
                       ("broken", BROKEN)):
        project.write(f"source/en/{name}.md", text)
    project.run("build")  # fails on the broken source, as it should
    project.run("check", *TODAY)  # fails on the overdue one
    project.run("publish", *TODAY)
    result = project.run("register", *TODAY)
    assert result.exit_code == 0, result.output
    return Registered(project, result.output)


def test_the_command_says_where_the_register_is(registered: Registered) -> None:
    lines = registered.output.splitlines()
    assert lines[:2] == [str(registered.reports / "register.csv"),
                         str(registered.reports / "register.html")]
    assert lines[2] == ("register of 4 leaflet(s): 2 approved, 1 draft, 1 with errors, "
                        "1 overdue, 0 due soon, 3 held back, 1 on the site (review dates as "
                        "of 2026-12-06)")


def test_csv_reads_back_one_row_per_leaflet_soonest_review_first(registered: Registered
                                                                 ) -> None:
    with open(registered.reports / "register.csv", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == list(COLUMNS)
    assert [(row["language"], row["id"]) for row in rows] == [
        ("en", "broken"), ("en", "overdue"), ("en", "draft"), ("en", "minimal")]
    # The source with errors leads (nothing of it can be published till it is fixed); then
    # by next review.
    reviews = [row["next_review"] for row in rows[1:]]
    assert reviews == sorted(reviews) == ["2026-11-24", "2030-01-01", "2036-03-01"]


def test_an_overdue_leaflet_is_marked_with_its_days(registered: Registered) -> None:
    row = registered.row("overdue")
    assert (row["days_left"], row["review"]) == ("-12", "OVERDUE by 12 days")
    assert row["publishable"] == "no"
    assert row["why_not"].startswith("overdue for review since 2026-11-24")
    assert row["on_site"] == "not on the site"


def test_a_draft_is_not_published_because_it_is_a_draft(registered: Registered) -> None:
    row = registered.row("draft")
    assert (row["status"], row["publishable"]) == ("draft", "no")
    assert row["why_not"].startswith("is a draft")
    assert (row["owner"], row["approved_by"], row["approved_on"]) == ("", "", "")
    assert row["outputs"] == "2 of 2 built and current"


def test_a_published_leaflet_after_build_check_publish(registered: Registered) -> None:
    row = registered.row("minimal")
    assert {key: row[key] for key in ("title", "version", "status", "owner", "approved_by",
                                      "approved_on", "reviewed", "next_review", "days_left",
                                      "review", "publishable", "why_not", "on_site")} == {
        "title": "Leg cramps", "version": "2.1", "status": "approved", "owner": "Test team",
        "approved_by": "Test Approver", "approved_on": "2026-03-01",
        "reviewed": "2026-03-01", "next_review": "2036-03-01", "days_left": "3373",
        "review": "in 3373 days", "publishable": "yes", "why_not": "",
        "on_site": "version 2.1 since 2026-12-06"}
    assert row["outputs"] == "2 of 2 built and current"
    assert float(row["reading_grade"]) < 8
    assert row["translations"] == "none"
    assert row["source"] == "source/en/minimal.md"


def test_a_source_with_errors_still_gets_a_row(registered: Registered) -> None:
    row = registered.row("broken")
    # What its front matter still says, and why it cannot be published.
    assert (row["title"], row["status"], row["next_review"]) == (
        "Leg cramps", "approved", "2031-05-01")
    assert row["publishable"] == "no"
    assert row["why_not"].startswith("has errors")
    assert row["reading_grade"] == ""


def test_html_is_one_self_contained_table(registered: Registered) -> None:
    page = lxml.html.parse(str(registered.reports / "register.html")).getroot()
    (table,) = page.xpath("//table[@id='register']")
    headings = [th.text_content().strip() for th in table.xpath("thead/tr/th")]
    assert headings[:4] == ["Leaflet", "Language", "Version", "Status"]
    assert "Next review" in headings and "Publish today" in headings
    rows = table.xpath("tbody/tr")
    assert len(rows) == 4
    overdue = next(row for row in rows if "overdue" in row.get("class", "").split())
    assert "OVERDUE by 12 days" in overdue.text_content()
    # Nothing is fetched: no stylesheet, script, font or picture from anywhere.
    assert not page.xpath("//link | //img | //iframe | //script[@src] | //*[@src]")
    assert not [value for value in page.xpath("//@href") if value.startswith(("http", "//"))]
    assert "@import" not in page.findtext(".//style")
    assert "url(" not in page.findtext(".//style")


def test_text_from_a_front_matter_is_escaped_and_kept_from_spreadsheet_formulas(
        project: TmpProject) -> None:
    project.write("source/en/minimal.md", APPROVED.replace(
        "owner: Test team", "owner: '=HYPERLINK(\"http://x\") <script>'"))
    assert project.run("register", *TODAY).exit_code == 0
    reports = project.root / "build" / "reports"
    with open(reports / "register.csv", encoding="utf-8-sig", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["owner"] == "'=HYPERLINK(\"http://x\") <script>"
    html = (reports / "register.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and html.count("<script") == 1


def test_translations_and_whether_each_is_stale(project: TmpProject) -> None:
    shutil.copytree(FIXTURES / "translations" / "source", project.root / "source",
                    dirs_exist_ok=True)
    english = project.root / "source" / "en" / "minimal.md"
    english.write_text(english.read_text(encoding="utf-8").replace(
        'version: "2.1"', 'version: "2.2"'), encoding="utf-8")
    assert project.run("register", *TODAY).exit_code == 0
    with open(project.root / "build" / "reports" / "register.csv", encoding="utf-8-sig",
              newline="") as handle:
        rows = {row["language"]: row for row in csv.DictReader(handle)}
    assert rows["en"]["translations"] == "es (STALE)"
    assert rows["es"]["translations"] == ("translation of en, made from version 2.1 (STALE: the "
                                          "original is now 2.2)")
    assert rows["en"]["outputs"] == "0 of 2 built and current; 2 not built"
    assert rows["es"]["why_not"].startswith("is a draft")  # the fixture's translations are


def test_the_site_may_still_offer_an_older_version() -> None:
    row = replace(_register(1).rows[0], version="1.1", site_version="1.0",
                  site_since="2026-10-01")
    assert row.on_site == "version 1.0 since 2026-10-01 (the source is now 1.1)"
    assert "the source is now 1.1" in html_text(replace(_register(1), rows=(row,)))


def test_another_brand_has_its_own_register(minimal: TmpProject) -> None:
    brands = minimal.root / "layouts" / "brands"
    (brands / "hillside.yml").write_text((brands / "default.yml").read_text(encoding="utf-8")
                                         .replace("Riverside", "Hillside"), encoding="utf-8")
    result = minimal.run("register", "--brand", "hillside")
    assert result.exit_code == 0, result.output
    page = minimal.root / "build" / "brands" / "hillside" / "reports" / "register.html"
    assert "Hillside Community Clinic" in page.read_text(encoding="utf-8")
    assert not (minimal.root / "build" / "reports").exists()


def test_an_unknown_brand_is_an_error_and_writes_nothing(minimal: TmpProject) -> None:
    result = minimal.run("register", "--brand", "nowhere")
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output
    assert not (minimal.root / "build" / "reports").exists()


def test_a_register_that_cannot_be_written_is_one_error_line(minimal: TmpProject) -> None:
    minimal.write("build/reports", "a file where the folder should be")
    result = minimal.run("register")
    assert result.exit_code == 1
    assert ": error: could not be written:" in result.output
    assert "Traceback" not in result.output


# --- In a browser -------------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


def test_the_repository_register_in_chromium(page: Page) -> None:
    """The register of the repository's own leaflets, as ``make`` leaves it: a screenshot
    and the first printed page, for people to look at; and nothing asked of the network."""
    result = CliRunner().invoke(main, ["register", "-C", str(REPO)])
    assert result.exit_code == 0, result.output
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((REPO / "build" / "reports" / "register.html").as_uri())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "register.png", full_page=True)
    assert page.locator("#register tbody tr").count() == len(list(REPO.glob("source/*/*.md")))
    assert [url for url in requests if not url.startswith("file:")] == []
    assert errors == []
    assert_accessible(page)
    pdf = SCREENSHOTS / "register-print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    document = pdfium.PdfDocument(pdf)
    first = document[0]
    assert tuple(round(side) for side in first.get_size()) == A4_LANDSCAPE
    first.render(scale=1.5).to_pil().save(SCREENSHOTS / "register-print.png")


def test_the_kinds_of_row_in_chromium(registered: Registered, page: Page) -> None:
    """A published leaflet, a draft, an overdue one and one with errors, as a lead sees
    them: a screenshot for people to look at."""
    page.goto((registered.reports / "register.html").as_uri())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "register-examples.png", full_page=True)
    first = page.locator("#register tbody tr").first
    assert "SOURCE HAS ERRORS" in first.inner_text()
    overdue = page.locator("#register tbody tr.overdue")
    assert "OVERDUE by 12 days" in overdue.inner_text()
    assert "Held back:" in overdue.inner_text()
    assert_accessible(page)  # the marks' colours too: axe-core checks their contrast


def test_column_headings_sort_and_the_page_works_without_script(browser: Browser,
                                                               page: Page) -> None:
    page.set_content(html_text(_register(5)))
    languages = "#register tbody tr td:nth-child(2)"
    before = page.locator(languages).all_inner_texts()
    page.get_by_role("button", name="Language").click()
    assert page.locator(languages).all_inner_texts() == sorted(before)
    assert page.locator("th", has_text="Language").get_attribute("aria-sort") == "ascending"
    page.get_by_role("button", name="Language").click()
    assert page.locator(languages).all_inner_texts() == sorted(before, reverse=True)
    page.get_by_role("button", name="Reading grade").click()
    grades = [float(text.split()[0]) for text in page.locator(
        "#register tbody tr td:nth-child(9)").all_inner_texts()]
    assert grades == sorted(grades)
    plain = browser.new_context(java_script_enabled=False)
    try:
        static = plain.new_page()
        static.set_content(html_text(_register(5)))
        assert static.locator("#register tbody tr").count() == 5
        assert static.locator("th [role=button]").count() == 0
        assert not static.locator("#sort-hint").is_visible()
    finally:
        plain.close()


def test_print_is_a4_landscape_with_the_heading_row_on_every_page(page: Page,
                                                                  tmp_path: Path) -> None:
    page.set_content(html_text(_register(60)))
    pdf = tmp_path / "register.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    document = pdfium.PdfDocument(pdf)
    assert len(document) > 1
    for index in range(len(document)):
        assert tuple(round(side) for side in document[index].get_size()) == A4_LANDSCAPE
        # PDFium gives the text a glyph run a line: compare without the spaces.
        text = "".join(document[index].get_textpage().get_text_range().split())
        assert "Nextreview" in text and "Publishtoday" in text, f"page {index + 1}"
        assert f"Page{index + 1}of{len(document)}" in text


def assert_accessible(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]])
                            for v in violations]


def _register(count: int) -> Register:
    """A register of ``count`` made-up rows, in review order, one in three overdue."""
    first = Row(source="source/en/x.md", id="x", title="Leg cramps", language="en",
                version="1.0", status="approved", owner="Team", approved_by="Dr A",
                approved_on=date(2026, 1, 1), reviewed=date(2026, 1, 1),
                next_review=date(2026, 1, 1), days_left=0, review_state="current",
                reading_grade=6.0, grade_note="", translation_of=None, translations="none",
                stale=False, outputs_current=7, outputs_total=7, outputs_note="",
                publishable=True, why_not="", site_version=None, site_since=None)
    rows = tuple(replace(first, id=f"leaflet-{n}", language=("en", "es", "ar", "de")[n % 4],
                         next_review=date(2026, 1 + n % 12, 1 + n % 28), days_left=n * 7 - 20,
                         review_state="overdue" if n % 3 == 0 else "current",
                         reading_grade=(7.5 * n) % 11) for n in range(count))
    return Register(rows, date(2026, 12, 6), True, datetime(2026, 12, 6, tzinfo=UTC),
                    "Riverside Community Clinic", "default", Config())
