"""A translation's outputs are made from its original's shape, not its bytes.

A translation shows none of its original's text: only whether the original loads, is
not itself a translation, its ``version`` and its sections' and items' ids. So its
outputs record the original's shape (``source/en/x.md#shape``), and an edit of the
original's text rebuilds none of them; the translation is still compared with the
original (which costs no rendering), and what that finds is said as before.

Real builds of a copy of the repository's project (the English original and its
Spanish and Arabic translations), in the A4 and EPUB layouts, without proofs and in
this process, so each takes a few seconds at most.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from careleaf.errors import Report
from careleaf.pipeline.build import BuildResult, build
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import (
    MANIFEST_VERSION,
    LeafletFacts,
    parse,
    shape_input,
    shape_of,
    to_json,
)
from careleaf.project import Project
from careleaf.source.load import load_leaflet, load_text
from conftest import TmpProject, copy_repository

LAYOUTS = ["a4", "epub"]
NAME = "chronic-muscle-spasms"
EN, ES, AR = (f"source/{lang}/{NAME}.md" for lang in ("en", "es", "ar"))
TRANSLATED = [f"{lang}/{NAME}/{name}" for lang in ("ar", "es")
              for name in (f"{NAME}-a4.pdf", f"{NAME}.epub")]
ORIGINAL = [f"en/{NAME}/{NAME}-a4.pdf", f"en/{NAME}/{NAME}.epub"]
#: One word of the original's body (its first item's text).
BODY = ("the most common cause.", "the most usual cause.")
SEE_A_DOCTOR = "\n## When to see a doctor {#see-a-doctor}"
NEW_ITEM = "\n### Keep a diary {#diary}\n\nWrite down when each spasm happens.\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's project; the working folder, so paths print relative."""
    monkeypatch.chdir(tmp_path)
    return copy_repository(tmp_path)


def run(root: Path, *sources: str) -> tuple[BuildResult, Report]:
    report = Report()
    result = build(Project(root), report, layout_names=LAYOUTS, proofs=False, jobs=1,
                   sources=[root / source for source in sources] or None)
    return result, report


def names(root: Path, outputs: list[Path]) -> list[str]:
    return sorted(path.relative_to(root / "build").as_posix() for path in outputs)


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Each output of the translations: its inode and time, which any write changes."""
    return {name: (info.st_ino, info.st_mtime_ns)
            for name in TRANSLATED for info in [os.stat(root / "build" / name)]}


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def said(report: Report) -> list[str]:
    return [f"{d.location}: {d.severity}: {d.message}" for d in report]


def built_first(root: Path) -> dict[str, tuple[int, int]]:
    result, report = run(root)
    assert (names(root, result.built), report.errors) == (sorted(ORIGINAL + TRANSLATED), [])
    return stamps(root)


def test_a_body_edit_of_the_original_rebuilds_none_of_its_translations(root: Path) -> None:
    before = built_first(root)
    edit(root, EN, *BODY)
    result, report = run(root)
    assert (names(root, result.built), said(report)) == (ORIGINAL, [])
    assert names(root, result.fresh) == TRANSLATED
    assert stamps(root) == before  # not written again, not even with the same bytes
    again, report = run(root)
    assert (again.built, names(root, again.fresh), said(report)) == (
        [], sorted(ORIGINAL + TRANSLATED), [])
    # What each translation's output records of the original: its shape, not its bytes.
    inputs = json.loads((root / "build/.careleaf-manifest.json").read_text(encoding="utf-8")
                        )["outputs"][TRANSLATED[0]]["inputs"]
    assert list(inputs)[:2] == [AR, f"{EN}#shape"]
    assert inputs[f"{EN}#shape"] == Manifest(Project(root)).hash_input(f"{EN}#shape")


def test_an_original_that_gains_an_item_fails_its_translations(root: Path) -> None:
    before = built_first(root)
    edit(root, EN, SEE_A_DOCTOR, NEW_ITEM + SEE_A_DOCTOR)
    line = (root / EN).read_text(encoding="utf-8").splitlines().index(
        "### Keep a diary {#diary}") + 1
    missing = (f"item 'diary' of section 'treatment' ({EN}:{line}) is missing from this "
               "translation")
    # And again: a translation that does not match its original is never fresh.
    for made in (ORIGINAL, []):
        result, report = run(root)
        assert (names(root, result.built), names(root, result.failed)) == (made, TRANSLATED)
        assert [d.message for d in report.errors] == [missing, missing]
        assert sorted(str(d.location).split(":")[0] for d in report.errors) == [AR, ES]
        assert stamps(root) == before  # the old outputs stay as they were


def test_a_new_version_of_the_original_rebuilds_its_translations(root: Path) -> None:
    built_first(root)
    edit(root, EN, 'version: "1.1"', 'version: "1.2"')
    result, report = run(root)
    assert names(root, result.built) == sorted(ORIGINAL + TRANSLATED)
    outdated = [f"{path}:12: warning: translation of version 1.1, but {EN} is now version 1.2 "
                "(line 4); update the translation and its 'original_version'"
                for path in (ES, AR)]
    assert sorted(said(report)) == sorted(outdated)
    again, report = run(root)  # nothing is loaded, and the warnings are said again
    assert (again.built, sorted(said(report))) == ([], sorted(outdated))


def test_an_original_broken_then_fixed_keeps_its_translations(root: Path) -> None:
    before = built_first(root)
    text = (root / EN).read_text(encoding="utf-8")
    edit(root, EN, "title: Chronic muscle spasms\n", "")
    result, report = run(root)
    assert names(root, result.failed) == sorted(ORIGINAL + TRANSLATED)
    cannot = (f"'translation_of' names en, but {EN} has 1 error(s), so this translation "
              "cannot be compared with it; fix the original first (the first at line 1: "
              "missing required key 'title')")
    assert sorted(said(report)) == sorted([f"{EN}:1: error: missing required key 'title'",
                                           f"{ES}:11: error: {cannot}",
                                           f"{AR}:11: error: {cannot}"])
    # Put back as it was: the records of before hold, and nothing is made.
    (root / EN).write_text(text, encoding="utf-8")
    result, report = run(root)
    assert (result.built, said(report), stamps(root)) == ([], [], before)
    # Broken again, then fixed with other words: only the original is made again.
    edit(root, EN, "title: Chronic muscle spasms\n", "")
    assert run(root)[1].errors
    (root / EN).write_text(text.replace(*BODY), encoding="utf-8")
    result, report = run(root)
    assert (names(root, result.built), said(report)) == (ORIGINAL, [])
    assert (names(root, result.fresh), stamps(root)) == (TRANSLATED, before)


def test_warnings_about_an_original_built_alone_are_said_again(root: Path) -> None:
    """An outdated translation's warning names what changed in the original's text, so it
    is kept against the original's bytes: after an edit of the original built alone, the
    next build compares the translations again to say it, but makes nothing of them."""
    built_first(root)
    edit(root, EN, 'version: "1.1"', 'version: "1.2"')
    outdated = sorted(said(run(root)[1]))
    assert len(outdated) == 2
    edit(root, EN, *BODY)
    result, report = run(root, EN)
    assert (names(root, result.built), said(report)) == (ORIGINAL, [])
    for _ in range(2):
        result, report = run(root)
        assert (result.built, sorted(said(report))) == ([], outdated)


def test_check_judges_a_translation_by_its_originals_shape(root: Path) -> None:
    built_first(root)
    edit(root, EN, *BODY)
    project = TmpProject(root)
    check = ("check", "--layout", "a4", "--layout", "epub", "--today", "2026-12-06")
    stale = [line for line in project.run(*check).stderr.splitlines()
             if "run 'careleaf build' to update it" in line]
    assert sorted(line.split(":")[0] for line in stale) == [f"build/{name}" for name in ORIGINAL]
    assert all(f"was built from an older {EN};" in line for line in stale)
    # Checked alone, a translation has its original loaded to judge its outputs by.
    alone = project.run(*check, ES)
    assert "en/" not in alone.stdout  # the original was not checked
    assert "careleaf build' to update it" not in alone.stderr
    assert run(root)[0].built
    assert "careleaf build' to update it" not in project.run(*check).stderr


def test_a_translations_stale_output_says_what_changed_in_writers_words(root: Path) -> None:
    built_first(root)
    edit(root, EN, 'version: "1.1"', 'version: "1.2"')
    lines = TmpProject(root).run("check", "--layout", "epub", "--today",
                                 "2026-12-06").stderr.splitlines()
    assert f"build/es/{NAME}/{NAME}.epub: warning: was built before a change to the " \
           f"sections or version of {EN}; run 'careleaf build' to update it" in lines


# --- the shape and its record -------------------------------------------------------------

def test_the_shape_is_what_a_translation_shows_of_its_original(root: Path) -> None:
    text = (root / EN).read_text(encoding="utf-8")
    original = load_leaflet(root / EN, Project(root), Report())
    assert original is not None

    def shape(new_text: str) -> str:
        leaflet = load_text(new_text, root / EN, Project(root), Report())
        assert leaflet is not None
        return shape_of(leaflet)

    assert shape(text) == shape_of(original)
    same = [text.replace(*BODY), text.replace("title: Chronic muscle spasms",
                                              "title: Chronic spasms")]
    assert {shape(other) for other in same} == {shape(text)}
    moved = text.replace("{#lower-back}", "{#lower}").replace("{#atherosclerosis}",
                                                              "{#lower-back}")
    others = [text.replace('version: "1.1"', 'version: "1.2"'), moved,
              text.replace(SEE_A_DOCTOR, NEW_ITEM + SEE_A_DOCTOR),
              text.replace("keywords:", 'translation_of: es\noriginal_version: "1.1"\nkeywords:')]
    assert len({shape(other) for other in [text, *others]}) == 5


def test_a_shape_is_known_while_its_source_is_the_bytes_it_was_recorded_of(root: Path) -> None:
    project = Project(root)
    original = load_leaflet(root / EN, project, Report())
    assert original is not None
    manifest = Manifest(project)
    name = f"{EN}#shape"
    assert manifest.hash_input(name) is None  # never recorded
    manifest.record_facts(root / EN, original.digest, LeafletFacts("en", "T", 2, (), "abc"))
    assert manifest.hash_input(name) == "abc"
    # The digest recorded is that of the bytes loaded, which the manifest hashes alike.
    assert original.digest == manifest.hash_input(EN)
    assert manifest.hash_inputs([shape_input(root / EN)]) == {name: "abc"}
    manifest.record_facts(root / EN, "other bytes", LeafletFacts("en", "T", 2, (), "abc"))
    assert manifest.hash_input(name) is None
    assert name not in manifest.file_hashes  # never kept: facts recorded later are seen


def test_the_shape_is_kept_in_the_manifest_and_an_older_one_is_read_as_empty() -> None:
    facts = LeafletFacts("en", "T", 2, (("cramp", 12),), "0123456789abcdef")
    data = json.loads(json.dumps(to_json({}, {}, {}, {"source/en/x.md": ("d", facts)}, {})))
    assert parse(data)[3] == {"source/en/x.md": ("d", facts)}
    del data["leaflets"]["source/en/x.md"]["shape"]
    assert parse(data)[3] == {}  # a record without one is dropped: the source is loaded
    assert parse({**data, "version": MANIFEST_VERSION - 1}) == ({}, {}, {}, {}, {})
