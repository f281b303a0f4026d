"""``careleaf new``: a new leaflet that builds at once as a draft, never over another."""

from __future__ import annotations

from datetime import date

from careleaf.commands.new import leaflet_text
from conftest import TmpProject


def test_a_new_leaflet_builds_and_checks_at_once_as_a_draft(project: TmpProject) -> None:
    result = project.run("new", "hiccups")
    assert result.exit_code == 0, result.output
    path = project.root / "source" / "en" / "hiccups.md"
    assert result.output.strip().endswith("source/en/hiccups.md")
    text = path.read_text(encoding="utf-8")
    assert "title: Hiccups\n" in text and "status: draft\n" in text
    assert "{#causes}" in text and "{#treatment}" in text and "{#see-a-doctor}" in text
    built = project.run("build")
    assert built.exit_code == 0, built.output
    assert "is a draft" in built.output
    assert project.output("en", "hiccups", "hiccups-a4.pdf").is_file()
    checked = project.run("check")
    assert checked.exit_code == 0, checked.output
    assert "warning:" not in checked.output and "error:" not in checked.output


def test_new_writes_another_language_and_refuses_to_overwrite(project: TmpProject) -> None:
    assert project.run("new", "hiccups", "--lang", "es").exit_code == 0
    path = project.root / "source" / "es" / "hiccups.md"
    path.write_text("mine", encoding="utf-8")
    again = project.run("new", "hiccups", "--lang", "es")
    assert again.exit_code == 1
    assert "already exists" in again.output and "--force" in again.output
    assert path.read_text(encoding="utf-8") == "mine"
    assert project.run("new", "hiccups", "--lang", "es", "--force").exit_code == 0
    assert path.read_text(encoding="utf-8").startswith("---\n")


def test_a_bad_id_or_language_is_an_error(project: TmpProject) -> None:
    for args in (("Bad_Id",), ("two--hyphens",), ("x" * 101,), ("ok", "--lang", "EN")):
        result = project.run("new", *args)
        assert result.exit_code == 2, args
        assert "Invalid value" in result.output
    assert not list((project.root / "source").rglob("*.md"))


def test_the_review_dates_are_valid_even_on_29_february() -> None:
    text = leaflet_text("leap", date(2028, 2, 29))
    assert "reviewed: 2028-02-29\n" in text and "next_review: 2029-02-28\n" in text
    assert "title: Leap\n" in text and "version: \"0.1\"\n" in text
