"""Document control with the real CLI: drafts are built with their mark and never
published; the publish gate refuses what is overdue, unchecked or changed since the
check, at the line to change; superseded versions go to the archive."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import APPROVAL, APPROVED, MINIMAL, TmpProject

WORDS = "DRAFT \u2013 not for patients"  # with the en dash it is typeset with
MARK = WORDS.upper()  # as the PDF shows it
DRAFT = MINIMAL
TODAY = ("--today", "2026-12-06")


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def publish_all(project: TmpProject, *today: str) -> None:
    """build → check → publish, as ``make`` runs them; each must succeed."""
    result = project.publish(*today)
    assert result.exit_code == 0, result.output


def site(project: TmpProject) -> Path:
    return project.root / "build" / "site"


def test_the_fixture_is_approved_and_publishes(approved: TmpProject) -> None:
    assert APPROVAL in APPROVED and APPROVAL not in MINIMAL
    publish_all(approved, *TODAY)
    assert (site(approved) / "en" / "minimal" / "index.html").is_file()
    assert (site(approved) / "en" / "minimal" / "minimal-a4.pdf").is_file()
    assert "minimal.epub" in (site(approved) / "en" / "opds-all.xml").read_text(encoding="utf-8")


def test_a_draft_is_built_with_its_mark_and_never_published(project: TmpProject) -> None:
    project.write("source/en/minimal.md", DRAFT)
    build = project.run("build")
    assert build.exit_code == 0, build.output
    # Said once, as a note (not a warning: drafts are expected).
    assert build.output.count("note: is a draft") == 1
    assert "minimal.md:1: note: is a draft" in build.stdout  # with the progress lines
    pdf = PdfReader(project.output("en", "minimal", "minimal-a4.pdf"))
    assert pdf.metadata is not None and str(pdf.metadata.title).startswith("[DRAFT")
    assert all(MARK in page.extract_text().upper() for page in pdf.pages)
    with zipfile.ZipFile(project.output("en", "minimal", "minimal.epub")) as book:
        opf = next(book.read(n).decode() for n in book.namelist() if n.endswith(".opf"))
        cover = book.read("EPUB/cover.xhtml").decode()
        content = next(book.read(n).decode() for n in book.namelist()
                       if n.endswith(".xhtml") and "draft-mark" in book.read(n).decode())
    assert re.search(rf"<dc:title[^>]*>\[{WORDS}\] Leg cramps<", opf)
    assert WORDS in cover  # the cover picture's text alternative
    assert WORDS in content
    assert project.run("check", *TODAY).exit_code == 0
    result = project.run("publish", *TODAY)
    assert result.exit_code == 0, result.output  # a draft held back is a note
    assert "minimal.md:1: note: is a draft" in result.output
    assert "not published" in result.output
    assert not (site(project) / "en").exists()
    assert "minimal" not in (site(project) / "opds.xml").read_text(encoding="utf-8")
    assert "minimal" not in (site(project) / "index.html").read_text(encoding="utf-8")


def test_print_shop_files_refuse_a_draft(project: TmpProject) -> None:
    project.write("source/en/minimal.md", DRAFT)
    result = project.run("build", "--print-ready", "--layout", "a4")
    assert result.exit_code == 1
    assert "error: en/minimal is a draft: print-shop files (--print-ready)" in result.output
    assert project.output("en", "minimal", "minimal-a4.pdf").is_file()  # for review
    assert not (project.root / "build" / "en" / "minimal" / "print").exists()


def test_an_overdue_leaflet_is_refused_then_published_once_reviewed(
        approved: TmpProject) -> None:
    publish_all(approved, *TODAY)
    late = ("--today", "2036-06-01")  # next_review is 2036-03-01
    assert approved.run("check", *late).exit_code == 1  # the review gate says so too
    result = approved.run("publish", *late)
    assert result.exit_code == 1
    line = line_of(APPROVED, "next_review:")
    assert (f"minimal.md:{line}: error: overdue for review since 2036-03-01: review it, "
            "then update 'reviewed', 'next_review' and the approval; not published"
            ) in result.output
    assert result.output.count("overdue for review") == 1
    # Dropped from the site, not kept as it was; the copy that was published is kept.
    assert not (site(approved) / "en" / "minimal").exists()
    archived = approved.root / "build" / "archive" / "en" / "minimal" / "2.1"
    record = json.loads((archived / "record.json").read_text(encoding="utf-8"))
    assert record["why"].startswith("overdue for review") and record["version"] == "2.1"
    assert (archived / "minimal-a4.pdf").is_file() and (archived / "minimal.epub").is_file()
    # Reviewed and approved again: published again.
    approved.write("source/en/minimal.md", APPROVED.replace("reviewed: 2026-03-01",
                                                            "reviewed: 2036-05-01")
                  .replace("next_review: 2036-03-01", "next_review: 2037-05-01")
                  .replace("approved_on: 2026-03-01", "approved_on: 2036-05-02"))
    publish_all(approved, *late)
    assert (site(approved) / "en" / "minimal" / "minimal-a4.pdf").is_file()


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ("approved_by: Test Approver\n", "", "status:", "'status: approved' needs 'approved_by' "
     "(who signed it off): add it, or write 'status: draft'"),
    ("approved_on: 2026-03-01", "approved_on: 2026-02-01", "approved_on:",
     "'approved_on' (2026-02-01) is before 'reviewed' (2026-03-01): the leaflet was reviewed "
     "again after it was approved"),
    ("approved_on: 2026-03-01", "approved_on: 2036-03-01", "approved_on:",
     "'approved_on' (2036-03-01) must be before 'next_review' (2036-03-01)"),
    ("status: approved", "status: final", "status:",
     "'status' must be draft or approved, not 'final'"),
], ids=["no-approver", "approved-before-review", "approved-at-next-review", "unknown-status"])
def test_document_control_mistakes_are_errors_at_their_line(
        project: TmpProject, old: str, new: str, key: str, message: str) -> None:
    text = APPROVED.replace(old, new)
    project.write("source/en/minimal.md", text)
    result = project.run("build")
    assert result.exit_code == 1
    assert f"minimal.md:{line_of(text, key)}: error: {message}" in result.stderr
    assert "Traceback" not in result.output
    assert not (project.root / "build" / "en").exists()  # nothing half-made of it


def test_the_gate_takes_only_what_the_check_passed(approved: TmpProject) -> None:
    publish_all(approved, *TODAY)
    pdf = approved.output("en", "minimal", "minimal-a4.pdf")
    # Built again after the check, with other bytes (the print layout changed).
    css = approved.root / "layouts" / "print" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.about { font-size: 7pt; }\n",
                   encoding="utf-8")
    assert approved.run("build").exit_code == 0
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 1
    assert (f"{pdf} is not the file 'careleaf check' passed (it was built again since): "
            "run 'careleaf check'; not published") in result.output
    assert not (site(approved) / "en" / "minimal").exists()
    publish_all(approved, *TODAY)
    # Damaged after the check: named, with what to do.
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited after the check\n")
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 1
    assert f"{pdf} is " in result.output and ": run 'careleaf build'; not published" in (
        result.output)
    assert approved.run("build").exit_code == 0  # the damaged file is rebuilt
    publish_all(approved, *TODAY)
    assert (site(approved) / "en" / "minimal" / "minimal-a4.pdf").is_file()


def test_an_edit_after_the_check_holds_the_leaflet_back(approved: TmpProject) -> None:
    publish_all(approved, *TODAY)
    approved.write("source/en/minimal.md", APPROVED.replace("A warm bath", "A hot bath"))
    assert approved.run("build").exit_code == 0
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 1
    assert "changed since 'careleaf check' last passed it" in result.output


def test_a_partial_check_does_not_count(approved: TmpProject) -> None:
    assert approved.run("build").exit_code == 0
    assert approved.run("check", "--layout", "a4", *TODAY).exit_code == 0
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 1
    assert "was last checked with --skip or --layout" in result.output


def test_a_new_version_archives_the_one_it_replaces(approved: TmpProject) -> None:
    publish_all(approved, *TODAY)
    old = (site(approved) / "en" / "minimal" / "minimal-a4.pdf").read_bytes()
    approved.write("source/en/minimal.md", APPROVED.replace('version: "2.1"', 'version: "2.2"')
                   .replace("A warm bath", "A hot bath"))
    publish_all(approved, *TODAY)
    archived = approved.root / "build" / "archive" / "en" / "minimal" / "2.1"
    assert (archived / "minimal-a4.pdf").read_bytes() == old  # what patients could get
    record = json.loads((archived / "record.json").read_text(encoding="utf-8"))
    assert record["why"] == "replaced by version 2.2"
    assert record["approved_by"] == "Test Approver"
    new = (site(approved) / "en" / "minimal" / "minimal-a4.pdf").read_bytes()
    assert new != old
    assert "archive" not in (site(approved) / "en" / "minimal" / "index.html").read_text(
        encoding="utf-8")


def test_serve_previews_drafts_bannered_but_never_in_the_site(project: TmpProject) -> None:
    from careleaf.project import Project
    from careleaf.site.preview import Rebuilds, Settings

    project.write("source/en/minimal.md", DRAFT)
    folder = Rebuilds(Project.find(project.root), Settings(proofs=False), lambda: False).first()
    assert folder == project.root / "build" / "preview"
    index = (folder / "en" / "index.html").read_text(encoding="utf-8")
    page = (folder / "en" / "minimal" / "index.html").read_text(encoding="utf-8")
    assert f'<p class="draft-mark">{WORDS}</p>' in index
    assert f'<aside class="draft-mark" aria-label="{WORDS}">{WORDS}</aside>' in page
    assert (folder / "en" / "minimal" / "minimal-a4.pdf").is_file()
    assert not site(project).exists()  # the preview is never the published site


def test_an_approval_covers_the_text_it_approved(approved: TmpProject) -> None:
    publish_all(approved, *TODAY)
    old = (site(approved) / "en" / "minimal" / "minimal-a4.pdf").read_bytes()
    # Edited under the same version and approval: checked fine, but not approved.
    edited = APPROVED.replace("A warm bath", "A hot bath")
    approved.write("source/en/minimal.md", edited)
    result = approved.publish(*TODAY)
    assert result.exit_code == 1
    assert (f"minimal.md:{line_of(edited, 'approved_on:')}: error: changed since version 2.1 "
            "was published with the approval of 2026-03-01: have the change approved (a new "
            "'approved_on'; a new 'version' too for more than a correction); not published"
            ) in result.output
    assert not (site(approved) / "en" / "minimal").exists()
    # Approved again (a correction: the same version): published, the old text archived.
    approved.write("source/en/minimal.md", edited.replace("approved_on: 2026-03-01",
                                                          "approved_on: 2026-03-02"))
    publish_all(approved, *TODAY)
    assert (site(approved) / "en" / "minimal" / "minimal-a4.pdf").read_bytes() != old
    kept = approved.root / "build" / "archive" / "en" / "minimal" / "2.1"
    assert (kept / "minimal-a4.pdf").read_bytes() == old
