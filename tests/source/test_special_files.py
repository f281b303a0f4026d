"""Sources that are not ordinary files, ids too long for file names, invisible characters.

A FIFO, a device, a folder named ``x.md`` or a link out of the project is a
located error, found without opening it for reading, and every other leaflet is
still built (and, approved, published: ``careleaf publish`` leaves the bad source
out of the download site). These run the real command in a child process with a
time limit and a memory limit: a FIFO opened for reading would block forever,
``/dev/zero`` would fill memory. An id longer than ``MAX_ID_LENGTH`` is an error at
its file, whatever the build is asked for; the longest allowed id names files a file
system accepts. Direction controls and invisible characters in a title or a
heading (which become the ebook's, the catalogue's and the site's titles) are
errors at their line, and an override anywhere in the body too.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.files import NAME_MAX, temp_name
from careleaf.project import Project
from conftest import APPROVED, MINIMAL, REPO, TmpProject

#: Long enough for a build of two small leaflets; a hang is killed after it.
TIMEOUT = 90
#: Far more than a build needs, far less than reading /dev/zero would take.
MEMORY_LIMIT = 2 * 1024**3
GOOD = ("minimal-a4.pdf", "minimal.epub")
#: The longest id, as source/README.md documents it (``careleaf.project.MAX_ID_LENGTH``).
MAX_ID_LENGTH = 100
#: The fixtures' next review is 2036-03-01: a fixed date keeps them not overdue.
TODAY = ("--today", "2026-12-06")


@dataclass
class Run:
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def show(self) -> str:
        return f"exit {self.returncode}\nstdout:\n{self.stdout[-3000:]}\nstderr:\n" \
            f"{self.stderr[-6000:]}"


def careleaf(project: TmpProject, command: str, *args: str) -> Run:
    """The real command in a child process, in the project's folder (paths print as
    ``source/...``), killed with its workers after ``TIMEOUT`` seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "careleaf", command, "-C", str(project.root), *args],
        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    resource.prlimit(process.pid, resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n[test: careleaf {command} did not finish in {TIMEOUT} s and was killed]"
    return Run(process.returncode, stdout, stderr)


def assert_only_error(run: Run, name: str, message: str) -> None:
    """The run ended with exit 1 and said exactly ``message`` about ``name``, once."""
    assert "Traceback" not in run.stderr and "Error:" not in run.stderr, run.show()
    about = [line for line in run.lines if line.startswith(f"{name}:")]
    assert about == [f"{name}: error: {message}"], run.show()
    assert run.returncode == 1, run.show()


def assert_minimal_built(project: TmpProject) -> None:
    for name in GOOD:
        assert project.output("en", "minimal", name).is_file(), name


def check_and_publish(project: TmpProject, name: str) -> Run:
    """``careleaf check`` then ``careleaf publish``, after a build: each finishes, says
    the error about ``name`` once and exits 1; publish holds ``name`` back, off the site."""
    check = careleaf(project, "check", *TODAY)
    about = [line for line in check.lines if line.startswith(f"{name}:")]
    assert len(about) == 1 and check.returncode == 1, check.show()
    assert "Traceback" not in check.stderr and "MemoryError" not in check.stderr, check.show()
    run = careleaf(project, "publish", *TODAY)
    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr, run.show()
    assert run.returncode == 1, run.show()
    about = [line for line in run.lines if line.startswith(f"{name}:")]
    assert len(about) == 1 and about[0].startswith(f"{name}: error: "), run.show()
    assert about[0].endswith("; not published"), run.show()
    assert not (project.root / "build" / "site" / "en" / Path(name).stem).exists()
    return run


def published_site(project: TmpProject, run: Run) -> str:
    """``en/minimal`` (approved) was published, with nothing said against it; the site's
    indexes and catalogues, for the caller to look for what must not be there."""
    assert not [line for line in run.lines if line.startswith("source/en/minimal.md:")], (
        run.show())
    site = project.root / "build" / "site"
    assert (site / "en" / "minimal" / "index.html").is_file(), run.show()
    assert "en/minimal/minimal.epub" in (site / "en" / "index.html").read_text(
        encoding="utf-8"), run.show()
    return "".join(path.read_text(encoding="utf-8")
                   for name in ("index.html", "opds.xml", "opds-all.xml")
                   for path in (site / name, *sorted(site.glob(f"*/{name}")))
                   if path.is_file())  # opds-all.xml: each language's only


# --- special files ---------------------------------------------------------------------

FIFO = "is a named pipe (FIFO), not a file; remove it"


def test_fifo_source_is_an_error_and_the_rest_builds(approved: TmpProject) -> None:
    """... and is checked and published: neither stage opens the FIFO either."""
    os.mkfifo(approved.root / "source" / "en" / "fifo.md")
    run = careleaf(approved, "build")
    assert_only_error(run, "source/en/fifo.md", FIFO)
    assert_minimal_built(approved)
    site = published_site(approved, check_and_publish(approved, "source/en/fifo.md"))
    assert "fifo" not in site


def test_fifo_does_not_stop_a_build_of_another_source(minimal: TmpProject) -> None:
    os.mkfifo(minimal.root / "source" / "en" / "fifo.md")
    run = careleaf(minimal, "build", "source/en/minimal.md")
    assert "Traceback" not in run.stderr and run.returncode == 0, run.show()
    assert_minimal_built(minimal)


def test_fifo_source_is_an_error_of_check(minimal: TmpProject) -> None:
    built = careleaf(minimal, "build")
    assert built.returncode == 0, built.show()
    os.mkfifo(minimal.root / "source" / "en" / "fifo.md")
    run = careleaf(minimal, "check")
    assert_only_error(run, "source/en/fifo.md", FIFO)


def test_fifo_named_on_the_command_line(minimal: TmpProject) -> None:
    os.mkfifo(minimal.root / "source" / "en" / "fifo.md")
    run = careleaf(minimal, "build", "source/en/fifo.md", "source/en/minimal.md")
    assert_only_error(run, "source/en/fifo.md", FIFO)
    assert_minimal_built(minimal)


def test_link_to_dev_zero_is_an_error_not_a_memory_blow_up(minimal: TmpProject) -> None:
    (minimal.root / "source" / "en" / "zero.md").symlink_to("/dev/zero")
    run = careleaf(minimal, "build")
    assert "MemoryError" not in run.stderr, run.show()
    assert_only_error(run, "source/en/zero.md", "is a device, not a file; remove it")
    assert_minimal_built(minimal)


def test_folder_named_like_a_source(minimal: TmpProject) -> None:
    (minimal.root / "source" / "en" / "x.md").mkdir()
    run = careleaf(minimal, "build")
    assert_only_error(run, "source/en/x.md", "is a folder, not a file; a source is a file "
                      "source/<lang>/<id>.md: rename the folder so that its name does not "
                      "end in .md")
    assert_minimal_built(minimal)


def test_link_to_a_file_outside_the_project(approved: TmpProject,
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whether every source is built or the link is named: the link keeps its name. Both
    are approved, so only the link keeps the outside file off the download site."""
    outside = tmp_path_factory.mktemp("outside") / "leaked.md"
    outside.write_text(APPROVED.replace("Leg cramps", "Leaked secret"), encoding="utf-8")
    (approved.root / "source" / "en" / "leaked.md").symlink_to(outside)
    message = "is a link to a file outside source/; sources must live in the project"
    for args in ((), ("source/en/leaked.md", "source/en/minimal.md")):
        run = careleaf(approved, "build", *args)
        assert_only_error(run, "source/en/leaked.md", message)
        assert_minimal_built(approved)
    assert not (approved.root / "build" / "en" / "leaked").exists()
    check_and_publish(approved, "source/en/leaked.md")
    site = approved.root / "build" / "site"
    for name in ("index.html", "opds.xml", "opds-all.xml"):  # the root's and each language's
        for page in (path for path in (site / name, *site.glob(f"*/{name}")) if path.is_file()):
            assert "Leaked secret" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("target", ["outside", "/dev/zero"], ids=["outside", "dev-zero"])
def test_a_bad_link_does_not_hold_the_other_leaflets_back(
        approved: TmpProject, tmp_path_factory: pytest.TempPathFactory, target: str) -> None:
    """A link's error is its own source's, like a FIFO's: the rest is published."""
    if target == "outside":
        outside = tmp_path_factory.mktemp("outside") / "leaked.md"
        outside.write_text(APPROVED.replace("Leg cramps", "Leaked secret"), encoding="utf-8")
        target = str(outside)
    (approved.root / "source" / "en" / "link.md").symlink_to(target)
    run = careleaf(approved, "build")
    assert run.returncode == 1, run.show()
    assert_minimal_built(approved)
    site = published_site(approved, check_and_publish(approved, "source/en/link.md"))
    assert "Leaked secret" not in site and "en/link" not in site


# --- long ids --------------------------------------------------------------------------


def long_id(length: int) -> str:
    """A valid id of ``length`` characters."""
    return ("long-" * length)[: length - 1] + "x"


def with_booklet(project: TmpProject) -> None:
    """Configure the layout with the longest names: ``<id>-booklet-a5-imposed.pdf``."""
    project.write("careleaf.toml", 'layouts = ["a4", "epub", "booklet-a5"]\n')


@pytest.mark.parametrize("publish", [True, False], ids=["publish", "build"])
def test_id_too_long_for_file_names_is_an_error(approved: TmpProject, publish: bool) -> None:
    """Its imposed booklet's name would be 258 bytes, one a file system refuses. Built,
    and then checked and published: the site (which makes its own names from the id)
    leaves it out and publishes the rest. Both are approved, so only the id is why."""
    with_booklet(approved)
    leaflet_id = long_id(235)
    approved.write(f"source/en/{leaflet_id}.md", APPROVED)
    run = careleaf(approved, "build")
    assert_only_error(run, f"source/en/{leaflet_id}.md",
                      f"the id is 235 characters; an id may be at most {MAX_ID_LENGTH} "
                      "characters (the names of its outputs are made from it, and a file name "
                      f"may be at most {NAME_MAX} bytes); rename the file")
    assert_minimal_built(approved)
    assert not (approved.root / "build" / "en" / leaflet_id).exists()
    if publish:
        run = check_and_publish(approved, f"source/en/{leaflet_id}.md")
        assert leaflet_id not in published_site(approved, run)


def test_id_length_limit(project: TmpProject) -> None:
    """An id of ``MAX_ID_LENGTH`` characters builds, one more is refused; every name the
    build makes fits in a file name. Approved, as the print-shop files refuse drafts."""
    with_booklet(project)
    longest, over = long_id(MAX_ID_LENGTH), long_id(MAX_ID_LENGTH + 1)
    project.write(f"source/en/{longest}.md", APPROVED)
    project.write(f"source/en/{over}.md", APPROVED)
    run = careleaf(project, "build", "--print-ready")
    about_over = [line for line in run.lines if line.startswith(f"source/en/{over}.md:")]
    assert len(about_over) == 1 and f"the id is {MAX_ID_LENGTH + 1} characters" in \
        about_over[0], run.show()
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.show()
    assert not any(line.startswith(f"source/en/{longest}.md:") for line in run.lines), run.show()
    assert project.output("en", longest, f"{longest}-a4.pdf").is_file(), run.show()
    assert project.output("en", longest, f"{longest}.epub").is_file(), run.show()
    assert project.output("en", longest, f"{longest}-booklet-a5-imposed.pdf").is_file()
    names = [path.name for path in (project.root / "build").rglob("*")]
    assert max(len(name.encode()) for name in names) <= NAME_MAX


def test_every_layout_names_files_of_the_longest_id() -> None:
    """Outputs, imposed sheets, proofs of a 999-page PDF and their temporary names."""
    from careleaf import project

    assert project.MAX_ID_LENGTH == MAX_ID_LENGTH
    leaflet_id = long_id(MAX_ID_LENGTH)
    layouts = load_layouts(Project(REPO), Report())
    assert layouts
    for layout in layouts.values():
        for name in (layout.output_name(leaflet_id), *layout.extra_names(leaflet_id)):
            proof = f"{Path(name).stem}-999.png"
            for made in (name, proof, temp_name(Path(name)).name):
                assert len(made.encode()) <= NAME_MAX, (layout.name, made)


# --- invisible characters --------------------------------------------------------------

SOURCE = "source/en/hidden.md"


def edit(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


def build(project: TmpProject) -> Result:
    result = project.run("build", "--layout", "epub")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


@pytest.fixture
def here(project: TmpProject, monkeypatch: pytest.MonkeyPatch) -> TmpProject:
    """The project as the working folder, so paths print as ``source/en/...``."""
    monkeypatch.chdir(project.root)
    return project


REVERSES = ("which shows the text after it in reverse order, so readers would not see what "
            "was written and checked; delete it")
INVISIBLE = "an invisible character, which would hide in titles, contents lists and search; " \
    "delete it"
TURNS = ("which changes the direction of the text around it (to put a full stop or a bracket "
         "on the right side, use U+200F RIGHT-TO-LEFT MARK or U+200E LEFT-TO-RIGHT MARK); "
         "delete it")
HIDDEN_CASES = [
    ("title-override", edit("title: Leg cramps", "title: Leg \u202ecramps"),
     f"2: error: 'title' has U+202E RIGHT-TO-LEFT OVERRIDE at character 5, {REVERSES}"),
    ("title-zero-width-space", edit("title: Leg cramps", "title: Leg\u200b cramps"),
     f"2: error: 'title' has U+200B ZERO WIDTH SPACE at character 4, {INVISIBLE}"),
    ("title-isolate-escaped", edit("title: Leg cramps", 'title: "\\u2067Leg cramps"'),
     f"2: error: 'title' has U+2067 RIGHT-TO-LEFT ISOLATE at character 1, {TURNS}"),
    ("title-control-escaped", edit("title: Leg cramps", 'title: "Leg\\acramps"'),
     f"2: error: 'title' has U+0007 (a control character) at character 4, {INVISIBLE}"),
    ("summary-soft-hyphen", edit("What brings on", "What brings\u00ad on"),
     f"3: error: 'summary' has U+00AD SOFT HYPHEN at character 12, {INVISIBLE}"),
    ("author-word-joiner", edit("  - Test Author", "  - Test\u2060Author"),
     f"11: error: 'authors' has U+2060 WORD JOINER at character 5, {INVISIBLE}"),
    ("keyword-bom", edit("  - cramp", "  - cramp\ufeff\ufeff"),
     f"13: error: 'keywords' has U+FEFF ZERO WIDTH NO-BREAK SPACE at character 6 "
     f"(and 1 more), {INVISIBLE}"),
    ("heading-override", edit("### Dehydration", "### Dehy\u202edration"),
     f"23: error: the heading has U+202E RIGHT-TO-LEFT OVERRIDE at column 9, {REVERSES}"),
    ("heading-entity", edit("### Dehydration", "### Dehydration&#x200B;"),
     f"23: error: the heading has U+200B ZERO WIDTH SPACE at column 16, {INVISIBLE}"),
    ("body-override", edit("A warm bath", "A warm \u202dbath"),
     f"38: error: U+202D LEFT-TO-RIGHT OVERRIDE at column 8, {REVERSES}"),
    ("body-override-entity", edit("A warm bath", "A warm &#8238;bath"),
     f"38: error: U+202E RIGHT-TO-LEFT OVERRIDE at column 8, {REVERSES}"),
    ("body-embedding", edit("A warm bath", "A warm \u202bbath\u202c"),
     f"38: error: U+202B RIGHT-TO-LEFT EMBEDDING at column 8 (and 1 more), {TURNS}"),
]


@pytest.mark.parametrize(("text", "expected"),
                         [pytest.param(text, expected, id=name)
                          for name, text, expected in HIDDEN_CASES])
def test_invisible_character_is_an_error_at_its_line(here: TmpProject, text: str,
                                                     expected: str) -> None:
    here.write(SOURCE, text)
    result = build(here)
    assert result.stderr.splitlines() == [f"{SOURCE}:{expected}"]
    assert result.exit_code == 1
    assert not (here.root / "build" / "en" / "hidden").exists()


def test_invisible_character_in_body_text_is_a_warning(here: TmpProject) -> None:
    here.write(SOURCE, edit("A warm bath", "A warm\ufeff bath"))
    result = build(here)
    assert result.stderr.splitlines() == [
        f"{SOURCE}:38: warning: U+FEFF ZERO WIDTH NO-BREAK SPACE at column 7 is an invisible "
        "formatting character; delete it unless it is there on purpose"]
    assert result.exit_code == 0
    assert here.output("en", "hidden", "hidden.epub").is_file()


def test_characters_scripts_need_are_allowed(here: TmpProject) -> None:
    """ZWNJ, ZWJ and the direction marks anywhere; soft hyphens, zero-width spaces and
    word joiners in the body's text."""
    text = edit("title: Leg cramps", "title: Leg\u200c cramps\u200f (\u200eA\u200d)")
    text = text.replace("A warm bath", "A warm\u00adbath\u200b or a hot\u2060water bottle")
    here.write(SOURCE, text)
    result = build(here)
    assert result.stderr == ""
    assert result.exit_code == 0


def test_original_that_is_a_fifo(minimal: TmpProject) -> None:
    """A translation's original that is not a file is said to be that, not missing."""
    os.mkfifo(minimal.root / "source" / "en" / "fifo.md")
    minimal.write("source/es/fifo.md", MINIMAL.replace(
        "keywords:", 'translation_of: en\noriginal_version: "2.1"\nkeywords:'))
    run = careleaf(minimal, "build")
    assert_only_error(run, "source/en/fifo.md", FIFO)
    assert [line for line in run.lines if line.startswith("source/es/fifo.md:")] == [
        "source/es/fifo.md:12: error: 'translation_of' names en, but source/en/fifo.md has 1 "
        "error(s), so this translation cannot be compared with it; fix the original first "
        f"(the first: {FIFO})"], run.show()
    assert_minimal_built(minimal)
