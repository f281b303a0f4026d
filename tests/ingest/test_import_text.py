"""``careleaf import`` of plain text: the seed (a scraped web article), structure recovery,
the report, the review dates left for the editor, and bad inputs, through the real CLI."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from careleaf.config import IMPORT_SECTIONS
from careleaf.i18n.sections import HEADINGS
from careleaf.project import MAX_SOURCE_BYTES
from conftest import REPO, TmpProject

SEED = REPO.parent / "shared" / "seeds" / "000_2f7d1f8747c9af80.txt"
DEBRIS = ("Couldn't find what you looking for?", "Your thoughts on this", "User avatar Guest")
#: A leaflet-shaped text with items as list entries, and every required section.
STRUCTURED = """\
Leg Cramps

Leg cramps are a sudden, painful tightening of a muscle. They often happen at night.

5 min read

Common Causes

- Tired muscles: muscles that worked hard can cramp later.
- Not drinking enough water can make cramps more likely.

Things You Can Try

- Stretch the muscle gently until the cramp eases.
- Walk around for a few minutes.

When to See a Doctor

See a doctor if cramps keep coming back or wake you every night.

Advertisement
"""


def _words(text: str) -> str:
    return " ".join(text.split())


def _seed(project: TmpProject) -> Path:
    if not SEED.is_file():
        pytest.skip(f"the seed {SEED} is not here")
    return Path(shutil.copy(SEED, project.root / SEED.name))


def _fill_dates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^# reviewed: YYYY-MM-DD.*$", "reviewed: 2026-03-01", text, flags=re.M)
    text = re.sub(r"^# next_review: YYYY-MM-DD.*$", "next_review: 2036-03-01", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def test_the_seed_keeps_every_sentence_and_drops_its_debris(project: TmpProject) -> None:
    seed = _seed(project)
    started = time.perf_counter()
    result = project.run("import", str(seed))
    print(f"seed import through the CLI: {time.perf_counter() - started:.3f} s")
    assert result.exit_code == 0, result.output
    draft = project.root / "source/en/chronic-muscle-spasms.md"
    text = draft.read_text(encoding="utf-8")
    body = _words(text.split("\n## ", 1)[1])
    article = SEED.read_text(encoding="utf-8").split("\n")
    start, end = article.index("Common Causes of Chronic Muscle Spasms"), article.index(
        "Your thoughts on this")
    for line in article[start + 1:end]:
        if line.strip() and line not in ("Treatment for Muscle Spasms",):
            for sentence in re.split(r"(?<=[.?!])\s+", line.strip()):
                assert _words(sentence) in body, sentence
    for debris in DEBRIS:
        assert debris not in text
    lines = text.split("\n")
    assert lines[13] == "## Common Causes of Chronic Muscle Spasms {#causes}"
    assert "## Treatment for Muscle Spasms {#treatment}" in lines
    assert ("source/en/chronic-muscle-spasms.md:14: warning: the 'causes' section has no "
            "items; split it into one ### item per cause") in result.stderr


def test_the_report_lists_the_debris_and_the_gates(project: TmpProject) -> None:
    result = project.run("import", str(_seed(project)))
    report = (project.root / "build/reports/import/en/chronic-muscle-spasms.txt").read_text(
        encoding="utf-8")
    for text in (report, result.stdout):
        assert "line 1: \"Couldn't find what you looking for?\" (site search prompt)" in text
        assert "line 28: \"User avatar Guest\" (after 'Your thoughts on this'" in text
        assert "reading grade 10.7 overall" in text
        assert "sentence of 27 words" in text
    assert not list((project.root / "source").rglob("*.txt"))


def test_the_draft_cannot_be_built_until_reviewed(project: TmpProject) -> None:
    project.write("notes.txt", STRUCTURED)
    result = project.run("import", str(project.root / "notes.txt"))
    assert result.exit_code == 0, result.output
    draft = project.root / "source/en/leg-cramps.md"
    built = project.run("build")
    assert built.exit_code == 1
    assert "source/en/leg-cramps.md:1: error: missing required key 'reviewed'" in built.stderr
    _fill_dates(draft)
    built = project.run("build")
    assert built.exit_code == 0, built.output
    text = draft.read_text(encoding="utf-8")
    assert "## Common Causes {#causes}" in text
    assert "### Tired muscles {#tired-muscles}" in text
    assert "5 min read" not in text and "Advertisement" not in text
    assert "## When to See a Doctor {#see-a-doctor}" in text


def test_configured_heading_words_recognise_a_section(project: TmpProject) -> None:
    project.write("careleaf.toml", 'layouts = ["a4", "epub"]\n[import.headings.en]\n'
                  'causes = ["what brings it on"]\n')
    project.write("notes.txt", STRUCTURED.replace("Common Causes", "What Brings It On"))
    assert project.run("import", str(project.root / "notes.txt")).exit_code == 0
    text = (project.root / "source/en/leg-cramps.md").read_text(encoding="utf-8")
    assert "## What Brings It On {#causes}" in text
    (project.root / "careleaf.toml").write_text('layouts = ["a4", "epub"]\n', encoding="utf-8")
    assert project.run("import", "--force", str(project.root / "notes.txt")).exit_code == 0
    text = (project.root / "source/en/leg-cramps.md").read_text(encoding="utf-8")
    assert "## What Brings It On {#what-brings-it-on}" in text  # kept, as a plain section
    _fill_dates(project.root / "source/en/leg-cramps.md")
    assert project.run("check").exit_code in (0, 1)  # loads: the gates may still complain


def test_an_unknown_import_setting_is_an_error(project: TmpProject) -> None:
    path = project.write("careleaf.toml", '[import.headings.en]\ncuases = ["x"]\n')
    project.write("notes.txt", STRUCTURED)
    result = project.run("build")
    assert (f"{path}: error: unknown careleaf setting 'import.headings.en.cuases' (did you "
            "mean 'import.headings.en.causes'?)") in result.stderr


def test_the_import_sections_are_the_known_sections() -> None:
    assert set(IMPORT_SECTIONS) == set(HEADINGS)


def test_no_overwrite_without_force(project: TmpProject) -> None:
    project.write("notes.txt", STRUCTURED)
    assert project.run("import", str(project.root / "notes.txt")).exit_code == 0
    draft = project.root / "source/en/leg-cramps.md"
    draft.write_text("edited", encoding="utf-8")
    again = project.run("import", str(project.root / "notes.txt"))
    assert again.exit_code == 1
    assert "source/en/leg-cramps.md already exists: use --force" in again.stderr
    assert draft.read_text(encoding="utf-8") == "edited"
    assert project.run("import", "--force", str(project.root / "notes.txt")).exit_code == 0
    assert draft.read_text(encoding="utf-8").startswith("---\n")
    other = project.run("import", "--id", "cramps", "--lang", "en-GB",
                        str(project.root / "notes.txt"))
    assert other.exit_code == 0 and (project.root / "source/en-GB/cramps.md").is_file()


def test_bad_inputs_are_located_and_the_others_imported(project: TmpProject) -> None:
    good = project.write("notes.txt", STRUCTURED)
    binary = project.write("scan.txt", b"PK\x03\x04\nabc\x00def")
    latin = project.write("latin.txt", "Caf\u00e9\n".encode("latin-1"))
    old = project.write("leaflet.doc", b"\xd0\xcf\x11\xe0")
    odd = project.write("leaflet.xyz", b"x")
    big = project.write("big.txt", b"a" * (MAX_SOURCE_BYTES + 1))
    result = project.run("import", *(str(p) for p in (binary, latin, old, odd, big, good)))
    assert result.exit_code == 1
    assert f"{binary}:2: error: this is a binary file, not text" in result.stderr
    assert f"{latin}:1: error: not valid UTF-8 (byte 0xe9)" in result.stderr
    assert (f"{old}: error: old Word format: open it in Word or LibreOffice and save it as "
            ".docx") in result.stderr
    assert f"{odd}: error: cannot import '.xyz' files" in result.stderr
    assert f"{big}: error: is 1,000,001 bytes" in result.stderr
    assert "Traceback" not in result.output
    assert (project.root / "source/en/leg-cramps.md").is_file()


def test_json_report(project: TmpProject) -> None:
    result = project.run("import", "--format", "json", str(_seed(project)))
    assert result.exit_code == 0
    [report] = json.loads(result.stdout)
    assert [s["id"] for s in report["sections"]] == ["causes", "treatment"]
    assert report["sections"][0]["no_items"] is True
    assert {d["text"] for d in report["dropped"]} == set(DEBRIS)
    assert report["quality"]["grade"] == pytest.approx(10.7, abs=0.05)
    assert report["seconds"] < 1
    written = json.loads((project.root / "build/reports/import/en/chronic-muscle-spasms.json")
                         .read_text(encoding="utf-8"))
    assert written["draft"] == report["draft"]


def test_a_careleaf_source_imported_back_keeps_its_ids(project: TmpProject) -> None:
    source = (REPO / "tests/fixtures/minimal/source/en/minimal.md").read_text(encoding="utf-8")
    path = project.write("old.md", source)
    assert project.run("import", "--id", "again", str(path)).exit_code == 0
    text = (project.root / "source/en/again.md").read_text(encoding="utf-8")
    for heading in ("## Causes {#causes}", "### Tired muscles {#tired}",
                    "### Dehydration {#dehydration}", "### Stretching {#stretching}",
                    "## When to see a doctor {#see-a-doctor}"):
        assert heading in text
    assert 'title: "Leg cramps"' in text
