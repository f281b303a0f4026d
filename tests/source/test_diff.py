"""``careleaf diff``: what changed between two versions of a leaflet, through the real CLI.

``OLD`` and ``NEW`` are two versions of one small leaflet written here (not taken from
the shared fixtures, so the expected reports do not move when those are edited): the
new one adds an item, removes one, moves one, changes the words of one, and changes
four front-matter keys. The git cases make a real repository in the test's project
(with the user's git configuration shut out and fixed dates); the last case reads
this repository's own history.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from careleaf.cli import main
from conftest import REPO, TmpProject

OLD = """---
title: Leg cramps
summary: What brings on leg cramps and what helps.
version: "1.0"
reviewed: 2026-03-01
next_review: 2036-03-01
sources:
  - title: Test source
    url: https://example.org/cramps
keywords:
  - cramp
---
Leg cramps are sudden, painful tightening of a muscle.

## Causes {#causes}

### Tired muscles {#tired}

Muscles that worked hard can cramp later.

### Dehydration {#dehydration}

Not drinking enough water can make cramps more likely.

## Treatment {#treatment}

### Stretching {#stretching}

Stretch the muscle gently until the cramp eases.

### Warmth {#warmth}

A warm bath can help the muscle relax.

### Massage {#massage}

Rub the muscle firmly with your hands.

## When to see a doctor {#see-a-doctor}

See a doctor if cramps keep coming back.
"""

MASSAGE = "### Massage {#massage}\n\nRub the muscle firmly with your hands.\n\n"
DEHYDRATION = ("### Dehydration {#dehydration}\n\nNot drinking enough water can make cramps "
               "more likely.\n\n")
COLD = "### Cold weather {#cold}\n\nCold muscles cramp more easily.\n\n"
NHS = "    url: https://example.org/cramps\n"


def edit(text: str, *changes: tuple[str, str]) -> str:
    """``text`` with each ``old`` (which must occur exactly once) replaced by ``new``."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


#: Version 1.1: cold added, dehydration removed, massage moved first, stretching reworded.
NEW = edit(OLD, ('version: "1.0"', 'version: "1.1"'), ("reviewed: 2026-03-01",
           "reviewed: 2026-06-01"), ("next_review: 2036-03-01", "next_review: 2036-06-01"),
           (NHS, NHS + "  - title: Leg cramps (NHS)\n    url: https://www.nhs.uk/conditions/"
            "leg-cramps/\n"), (DEHYDRATION, COLD), (MASSAGE, ""),
           ("## Treatment {#treatment}\n\n", "## Treatment {#treatment}\n\n" + MASSAGE),
           ("Stretch the muscle gently", "Stretch the muscle slowly and gently"))
PATH = "source/en/cramps.md"


def line(text: str, start: str) -> int:
    """The line of ``text`` that starts with ``start`` (there must be one)."""
    found = [n for n, each in enumerate(text.split("\n"), 1) if each.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


@pytest.fixture
def here(project: TmpProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> TmpProject:
    """The project as the working folder (paths print as ``source/en/...``), with git kept
    to the project: no user or system configuration, no repository above it, fixed dates."""
    monkeypatch.chdir(project.root)
    for name, value in {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                        "GIT_CEILING_DIRECTORIES": str(tmp_path.parent),
                        "GIT_AUTHOR_DATE": "2026-05-01T12:00:00Z",
                        "GIT_COMMITTER_DATE": "2026-05-01T12:00:00Z"}.items():
        monkeypatch.setenv(name, value)
    return project


def git(project: TmpProject, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project.root), "-c", "user.name=t", "-c",
                           "user.email=t@example.org", *args], capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def commit(project: TmpProject, text: str, message: str) -> str:
    """``text`` written as ``PATH`` and committed; the commit's short hash."""
    project.write(PATH, text)
    git(project, "add", PATH)
    git(project, "commit", "-q", "-m", message)
    return git(project, "rev-parse", "--short=7", "HEAD")


def diff(project: TmpProject, *args: str) -> Result:
    result = project.run("diff", *args)
    # A mistake ends with an exit status, never a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def report(result: Result) -> dict[str, Any]:
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def changes(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(change["name"], change["kinds"]) for change in data["changes"]]


# --- two versions as two files -----------------------------------------------------------

def test_text_report_names_each_added_removed_moved_and_changed_item(here: TmpProject) -> None:
    here.write(PATH, NEW)
    here.write("old/cramps.md", OLD)
    result = diff(here, PATH, "old/cramps.md")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == f"""\
{PATH}: old/cramps.md, version 1.0 -> the working copy, version 1.1
  items: 1 added, 1 removed, 1 moved, 1 changed; 4 front-matter key(s) changed

Front matter
  version: 1.0 -> 1.1  (line 4)
  reviewed: 2026-03-01 -> 2026-06-01  (line 5)
  next_review: 2036-03-01 -> 2036-06-01  (line 6)
  sources: added Leg cramps (NHS) <https://www.nhs.uk/conditions/leg-cramps/>  (line 7)

Section causes: Causes
  added    causes/cold "Cold weather"  line {line(NEW, "### Cold")}
    + Cold muscles cramp more easily.
  removed  causes/dehydration "Dehydration"  line {line(OLD, "### Dehydration")} before
    - Not drinking enough water can make cramps more likely.

Section treatment: Treatment
  moved    treatment/massage "Massage"  line {line(NEW, "### Massage")}
  changed  treatment/stretching "Stretching"  line {line(NEW, "### Stretching")}
      Stretch the muscle {{+slowly and+}} gently until the cramp eases.
"""


def test_json_report_has_every_change_with_its_words(here: TmpProject) -> None:
    here.write(PATH, NEW)
    here.write("old/cramps.md", OLD)
    data = report(diff(here, PATH, "old/cramps.md", "--format", "json"))
    assert (data["old"]["version"], data["new"]["version"], data["identical"]) == (
        "1.0", "1.1", False)
    assert data["items"] == {"added": 1, "removed": 1, "moved": 1, "changed": 1}
    assert [(f["key"], f["old"], f["new"], f["line"]) for f in data["front_matter"]] == [
        ("version", "1.0", "1.1", 4), ("reviewed", "2026-03-01", "2026-06-01", 5),
        ("next_review", "2036-03-01", "2036-06-01", 6),
        ("sources", [{"title": "Test source", "url": "https://example.org/cramps"}],
         [{"title": "Test source", "url": "https://example.org/cramps"},
          {"title": "Leg cramps (NHS)", "url": "https://www.nhs.uk/conditions/leg-cramps/"}],
         7)]
    assert changes(data) == [("causes/cold", ["added"]), ("causes/dehydration", ["removed"]),
                             ("treatment/massage", ["moved"]),
                             ("treatment/stretching", ["changed"])]
    stretching = data["changes"][3]
    assert (stretching["section"], stretching["item"], stretching["line"]) == (
        "treatment", "stretching", line(NEW, "### Stretching"))
    assert stretching["words"] == [
        {"op": "same", "text": "Stretching\nStretch the muscle"},
        {"op": "added", "text": " slowly and"},
        {"op": "same", "text": " gently until the cramp eases."}]
    assert data["changes"][0]["words"] == [
        {"op": "added", "text": "Cold weather\nCold muscles cramp more easily."}]


def test_html_report_is_well_formed_self_contained_and_marks_the_words(here: TmpProject
                                                                       ) -> None:
    here.write(PATH, NEW)
    here.write("old/cramps.md", OLD)
    result = diff(here, PATH, "old/cramps.md", "--format", "html", "-o", "build/diff.html")
    assert (result.exit_code, result.stdout) == (0, "wrote build/diff.html\n"), result.output
    page = (here.root / "build/diff.html").read_bytes()
    tree = etree.fromstring(page)  # well-formed: it parses as XML
    # Nothing that could load a file or run: no script, no link, no source, no url().
    assert found(tree, "//script | //link | //iframe | //img | //*[@src] | //*[@href]") == []
    assert b"url(" not in page and b"@import" not in page
    stretching = found(tree, "//article[.//code='treatment/stretching']")[0]
    assert stretching.get("class") == "change changed"
    assert found(stretching, ".//ins/text()") == ["slowly and"]
    assert [found(article, "string(.//code)") for article in found(tree, "//article")] == [
        "causes/cold", "causes/dehydration", "treatment/massage", "treatment/stretching"]
    assert found(tree, "//div[@class='text']/@lang") == ["en"] * 4
    assert "@media print" in found(tree, "string(//style)")


def found(node: etree._Element, path: str) -> Any:
    """What the XPath ``path`` finds from ``node`` (lxml types it as any result at all)."""
    return node.xpath(path)


def test_the_same_leaflet_says_there_is_no_difference(here: TmpProject) -> None:
    here.write(PATH, OLD)
    # Another line wrapping makes the same leaflet.
    here.write("old/cramps.md", OLD.replace("tightening of a muscle.", "tightening\nof a "
                                            "muscle."))
    result = diff(here, PATH, "old/cramps.md")
    assert (result.exit_code, result.stdout) == (0, f"""\
{PATH}: old/cramps.md, version 1.0 -> the working copy, version 1.0
No difference: the front matter, overview, sections and items are the same in both versions.
"""), result.output
    data = report(diff(here, PATH, "old/cramps.md", "--format", "json"))
    assert (data["identical"], data["changes"], data["front_matter"]) == (True, [], [])


def test_a_change_of_emphasis_or_link_alone_is_reported_as_such(here: TmpProject) -> None:
    here.write(PATH, edit(OLD, ("can cramp later", "can cramp *later*")))
    here.write("old/cramps.md", OLD)
    result = diff(here, PATH, "old/cramps.md")
    assert result.stdout.split("\n")[3:] == [
        "Section causes: Causes",
        f'  changed  causes/tired "Tired muscles"  line {line(OLD, "### Tired")}',
        "      only the formatting or a link changed; the words are the same", ""]


# --- versions in git ---------------------------------------------------------------------

@pytest.fixture
def history(here: TmpProject) -> dict[str, str]:
    """Three commits of ``PATH``: version 1.0 set, then an edit to warmth while it was still
    1.0, then version 1.1 (NEW with that edit); and in the working copy, the cause 'cold'
    moved to the treatments. The short hash of each commit, by name."""
    git(here, "init", "-q")
    hashes = {"set 1.0": commit(here, OLD, "cramps 1.0")}
    hashes["edit"] = commit(here, edit(OLD, ("A warm bath", "A warm shower")), "warmth")
    committed = edit(NEW, ("A warm bath", "A warm shower"))
    hashes["1.1"] = commit(here, committed, "cramps 1.1")
    here.write(PATH, edit(committed, (COLD, ""), ("### Warmth", COLD + "### Warmth")))
    return hashes


def test_default_is_what_changed_since_the_last_commit(here: TmpProject,
                                                       history: dict[str, str]) -> None:
    result = diff(here, PATH)
    moved = line((here.root / PATH).read_text(encoding="utf-8"), "### Cold")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == f"""\
{PATH}: HEAD ({history["1.1"]}, 2026-05-01), version 1.1 -> the working copy, version 1.1
  items: 1 moved

Section treatment: Treatment
  moved    treatment/cold "Cold weather" (from section causes)  line {moved}
"""
    git(here, "commit", "-q", "-a", "-m", "cold is a treatment")
    result = diff(here, PATH)
    assert result.stdout.endswith("\nNo difference: the front matter, overview, sections and "
                                  "items are the same in both versions.\n"), result.output


def test_since_a_version_compares_with_the_commit_that_set_it(here: TmpProject,
                                                             history: dict[str, str]) -> None:
    data = report(diff(here, PATH, "--since", "1.0", "--format", "json"))
    # The warmth edit was committed while the version was still 1.0: it is not in the
    # 1.0 that was set, so it is among the changes since.
    assert data["old"]["label"] == f"version 1.0 ({history['set 1.0']}, 2026-05-01)"
    assert changes(data) == [("causes/dehydration", ["removed"]),
                             ("treatment/massage", ["moved"]),
                             ("treatment/stretching", ["changed"]),
                             ("treatment/cold", ["added"]),
                             ("treatment/warmth", ["changed"])]
    assert [f["key"] for f in data["front_matter"]] == [
        "version", "reviewed", "next_review", "sources"]
    # HEAD~1 is the warmth edit: warmth is the same there.
    data = report(diff(here, PATH, "--rev", "HEAD~1", "--format", "json"))
    assert data["old"]["label"] == f"HEAD~1 ({history['edit']}, 2026-05-01), version 1.0"
    assert "treatment/warmth" not in dict(changes(data))
    assert report(diff(here, PATH, "--since", "1.1", "--format", "json"))["old"]["label"] == (
        f"version 1.1 ({history['1.1']}, 2026-05-01)")


def test_a_file_renamed_in_git_is_followed(here: TmpProject, history: dict[str, str]) -> None:
    git(here, "commit", "-q", "-a", "-m", "cold is a treatment")
    git(here, "mv", PATH, "source/en/leg-cramps.md")
    git(here, "commit", "-q", "-m", "renamed")
    data = report(diff(here, "source/en/leg-cramps.md", "--since", "1.0", "--format", "json"))
    assert data["old"]["label"] == f"version 1.0 ({history['set 1.0']}, 2026-05-01)"
    assert "treatment/stretching" in dict(changes(data))


# --- mistakes ----------------------------------------------------------------------------

def test_outside_git_each_way_says_what_to_do_instead(here: TmpProject) -> None:
    here.write(PATH, NEW)
    for args in ((), ("--rev", "HEAD~1"), ("--since", "1.0")):
        result = diff(here, PATH, *args)
        assert result.exit_code == 1, result.output
        assert re.fullmatch(rf"{PATH}: error: not a git repository\b.*, so this file has no "
                            r"history to compare with; give an older copy of it instead: "
                            r"careleaf diff SOURCE OLD_FILE\n", result.stderr), result.stderr
        assert result.stdout == "nothing compared; 1 error(s), 0 warning(s)\n"


def test_unknown_revision_missing_version_and_uncommitted_file(
        here: TmpProject, history: dict[str, str]) -> None:
    result = diff(here, PATH, "--rev", "v9")
    assert (result.exit_code, result.stderr) == (1, (
        f"{PATH}: error: unknown revision 'v9' in the git repository at {here.root.resolve()}; "
        f"name a commit, tag or branch (git log --oneline -- {PATH} lists this file's)\n"))
    result = diff(here, PATH, "--since", "0.9")
    assert (result.exit_code, result.stderr) == (1, (
        f'{PATH}:4: error: no commit of {PATH} has version "0.9" in its front matter (versions '
        "in its history: 1.1, 1.0); name one of those, or a revision with --rev\n"))
    result = diff(here, PATH, "--rev", "--output=x")
    assert (result.exit_code, result.stderr) == (1, (
        f"{PATH}: error: '--output=x' is not a git revision; name a commit, tag or branch, "
        "like HEAD~1 or v1.0\n"))
    here.write("source/en/new.md", OLD)
    result = diff(here, "source/en/new.md")
    assert (result.exit_code, result.stderr) == (1, (
        "source/en/new.md: error: this file has never been committed to git, so it has no "
        "history to compare with; commit it first, or give an older copy of it: careleaf diff "
        "SOURCE OLD_FILE\n"))
    result = diff(here, "source/en/new.md", "--rev", history["1.1"])
    assert result.exit_code == 1 and "never been committed" in result.stderr


def test_an_earlier_version_that_does_not_load_is_said_at_its_lines(here: TmpProject) -> None:
    here.write(PATH, NEW)
    broken = edit(OLD, ("## Causes {#causes}\n", ""))
    here.write("old/cramps.md", broken)
    result = diff(here, PATH, "old/cramps.md")
    assert (result.exit_code, result.stderr.split("\n")[1]) == (1, (
        f"old/cramps.md:{line(broken, '### Tired')}: error: a '###' heading must come after a "
        "'##' section heading")), result.stderr
    git(here, "init", "-q")
    head = commit(here, broken, "broken")
    here.write(PATH, NEW)
    result = diff(here, PATH)
    assert (result.exit_code, result.stderr.split("\n")[1]) == (1, (
        f"{PATH}: error: as committed at HEAD ({head}, 2026-05-01), line "
        f"{line(broken, '### Tired')}: a '###' heading must come after a '##' section heading "
        "(that version cannot be compared while it does not load)")), result.stderr


def test_usage_mistakes_exit_2(here: TmpProject) -> None:
    here.write(PATH, NEW)
    here.write("old/cramps.md", OLD)
    result = diff(here, PATH, "old/cramps.md", "--rev", "HEAD")
    assert result.exit_code == 2 and "give one of OLD_FILE, --rev and --since" in result.output
    result = diff(here, "old/cramps.md")
    assert result.exit_code == 2 and "is not a source/<lang>/<id>.md file" in result.output
    result = diff(here, PATH, "missing.md")
    assert (result.exit_code, result.stderr) == (1, "missing.md: error: does not exist (or is a "
                                                    "link to nothing); give an older copy of "
                                                    "cramps.md to compare with\n")


# --- the staleness warning of a translation ----------------------------------------------

ES = """---
title: Calambres en las piernas
summary: Qué provoca los calambres en las piernas y qué ayuda.
version: "1.0"
reviewed: 2026-04-01
next_review: 2036-04-01
translation_of: en
original_version: "1.0"
sources:
  - title: Fuente de prueba
    url: https://example.org/cramps
---
Los calambres en las piernas son una contracción repentina y dolorosa de un músculo.

## Causas {#causes}

### Músculos cansados {#tired}

Los músculos que trabajaron mucho pueden tener calambres más tarde.

### Deshidratación {#dehydration}

No beber suficiente agua puede hacer que los calambres sean más probables.

## Tratamiento {#treatment}

### Estiramientos {#stretching}

Estire el músculo con suavidad hasta que el calambre se alivie.

### Calor {#warmth}

Un baño caliente puede ayudar a relajar el músculo.

### Masaje {#massage}

Frote el músculo con firmeza con las manos.

## Cuándo ver a un médico {#see-a-doctor}

Vea a un médico si los calambres vuelven una y otra vez.
"""
ES_PATH = "source/es/cramps.md"
STALE = (f"{ES_PATH}:8: warning: translation of version 1.0, but {PATH} is now version 1.1 "
         "(line 4){since}; update the translation and its 'original_version'")


def stale_warnings(project: TmpProject) -> list[str]:
    """The staleness warnings of a build of the EPUB (the comparison needs no other); forced,
    since a build that finds its outputs up to date says again what the last one said."""
    result = project.run("build", "--layout", "epub", "--force")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return [said for said in result.stderr.splitlines() if "translation of version" in said]


def test_a_stale_translation_names_what_changed_in_the_original_since(here: TmpProject
                                                                       ) -> None:
    here.write(ES_PATH, ES)
    # The same sections and items as the translation, so the only warning is the staleness.
    original = edit(OLD, ('version: "1.0"', 'version: "1.1"'),
                    ("Stretch the muscle gently", "Stretch the muscle slowly and gently"),
                    ("Rub the muscle", "Gently rub the muscle"))
    here.write(PATH, original)
    # Without the history, the warning says the versions only.
    assert stale_warnings(here) == [STALE.format(since="")]
    git(here, "init", "-q")
    commit(here, OLD, "cramps 1.0")
    commit(here, original, "cramps 1.1")
    assert stale_warnings(here) == [STALE.format(
        since="; since version 1.0, treatment/stretching and treatment/massage changed")]
    here.write(PATH, edit(original, (DEHYDRATION, COLD)))
    assert stale_warnings(here) == [STALE.format(
        since="; since version 1.0, causes/cold was added, causes/dehydration was removed "
              "and treatment/stretching and treatment/massage changed")]


def test_a_stale_translation_whose_version_is_not_in_the_history(here: TmpProject) -> None:
    git(here, "init", "-q")
    commit(here, edit(OLD, ('version: "1.0"', 'version: "1.1"')), "cramps 1.1")
    here.write(ES_PATH, ES)
    assert stale_warnings(here) == [STALE.format(since="")]


# --- this repository's own history -------------------------------------------------------

SPASMS = REPO / "source" / "en" / "chronic-muscle-spasms.md"


def has_history() -> bool:
    """Whether this is a git checkout with the commit that made chronic-muscle-spasms 1.1."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        return False
    done = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e",
                           "3a2ed51:source/en/chronic-muscle-spasms.md"], capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not has_history(), reason="not a git checkout with the leaflet's history")
def test_the_repository_history_of_chronic_muscle_spasms_since_1_0() -> None:
    result = CliRunner().invoke(main, ["diff", "-C", str(REPO), str(SPASMS), "--since", "1.0",
                                       "--format", "json"])
    data = report(result)
    assert data["old"]["version"] == "1.0"
    named = dict(changes(data))
    # Version 1.1 told the reader what to do in the Stretch and bandage treatments.
    assert (named["treatment/stretching"], named["treatment/bandage"]) == (["changed"],
                                                                          ["changed"])
    words = {change["name"]: change["words"] for change in data["changes"]}
    assert {"op": "removed", "text": " Doing"} in words["treatment/stretching"]
    assert {"op": "added", "text": " Do a few"} in words["treatment/stretching"]
    assert {"op": "added", "text": "Wrap"} in words["treatment/bandage"]
    fields = {field["key"]: (field["old"], field["new"]) for field in data["front_matter"]}
    assert fields["reviewed"] == ("2026-11-20", "2026-11-25")
    assert fields["version"][0] == "1.0"
    text = CliRunner().invoke(main, ["diff", "-C", str(REPO), str(SPASMS), "--since", "1.0"])
    assert '  changed  treatment/stretching "Stretch"' in text.stdout
    assert '  changed  treatment/bandage "Use a bandage"' in text.stdout


def test_overview_sections_and_an_item_both_moved_and_changed(here: TmpProject) -> None:
    warmth = "### Warmth {#warmth}\n\nA warm bath can help the muscle relax.\n\n"
    new = edit(OLD, ("painful tightening", "painful tightening or knotting"),
               ("## Causes {#causes}", "## What causes cramps {#causes}"),
               (warmth, ""), ("## Treatment {#treatment}\n\n", "## Treatment {#treatment}\n\n"
                              + warmth.replace("warm bath", "warm shower")),
               ("## When to see", "## Prevention {#prevention}\n\n### Drink water {#water}\n\n"
                "Drink water through the day.\n\n## When to see"))
    here.write(PATH, new)
    here.write("old/cramps.md", OLD)
    result = diff(here, PATH, "old/cramps.md")
    assert result.stdout.split("\n")[1:] == [
        "  items: 1 added, 1 moved, 1 changed; 3 change(s) to the overview or section "
        "headings and introductions",
        "",
        "Overview",
        f"  changed  overview  line {line(new, 'Leg cramps are')}",
        "      Leg cramps are sudden, painful tightening {+or knotting+} of a muscle.",
        "",
        "Section causes: What causes cramps",
        f'  changed  causes "What causes cramps"  line {line(new, "## What")}',
        "      [-Causes-]{+What causes cramps+}",
        "",
        "Section treatment: Treatment",
        f'  moved, changed treatment/warmth "Warmth"  line {line(new, "### Warmth")}',
        "      A warm [-bath-]{+shower+} can help the muscle relax.",
        "",
        "Section prevention: Prevention",
        f'  added    prevention "Prevention"  line {line(new, "## Prevention")}',
        f'  added    prevention/water "Drink water"  line {line(new, "### Drink")}',
        "    + Drink water through the day.",
        ""]
