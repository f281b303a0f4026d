"""``careleaf serve`` works in the order the writer looks (issue 19).

A one-word edit to the overview of an original is the writer's most common change.
serve must not rebuild its translations' outputs for it (their text did not change),
must show the edited leaflet's web page first, before the leaflet's other layouts are
made, and says ``Waiting for changes.`` once all the work for the save is done.

The real command runs as a subprocess (``serving``) on a copy of the repository's
leaflet and its Spanish and Arabic translations, in three layouts. The edit is saved as
an editor saves (open, write, close); the page and the A4 PDF are polled over HTTP and
the outputs' inodes and ``st_mtime_ns`` read on disk, every wait with a deadline. One
warm-up edit first, so whatever serve still had to do after its start is done.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest
from serving import Served, fetch, serving_project

from conftest import copy_repository

LEAFLET = "chronic-muscle-spasms"
SOURCE = f"source/en/{LEAFLET}.md"
#: The word of the overview's first sentence each edit replaces.
WORD = "suddenly"
#: The A4 and two other layouts of the leaflet, which its page must not wait for.
LAYOUTS = ["a4", "trifold-a4", "epub"]
#: Generous bounds: a slow machine must not fail these tests, only slow them.
SHOW_TIMEOUT = 60.0
IDLE_TIMEOUT = 120.0
POLL_SECONDS = 0.05
#: serve's line once all work for the last save is done.
IDLE_LINE = "Waiting for changes."

Stamps = dict[str, tuple[int, int]]


@dataclass
class Edit:
    """One saved edit and what was seen of it: files before the save, when the page first
    showed it, and once serve was idle again."""

    word: str
    saved_ns: int
    translations_before: Stamps
    translations_after: Stamps
    own_before: Stamps
    own_after: Stamps
    own_at_page: Stamps | None = None
    page_seen_s: float | None = None
    a4_seen_s: float | None = None
    #: Every line serve printed on stdout from the save on.
    printed: list[str] = field(default_factory=list)
    transcript: str = ""

    def __repr__(self) -> str:  # the files and the transcript are in the failures' messages
        return f"Edit({self.word!r}, page {self.page_seen_s}, A4 {self.a4_seen_s})"


def stamps(folders: list[Path], build: Path) -> Stamps:
    """Inode and ``st_mtime_ns`` of every file under ``folders`` (a file replaced while it
    is listed is left out)."""
    found: Stamps = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            try:
                status = path.stat()
            except OSError:
                continue
            if path.is_file():
                found[path.relative_to(build).as_posix()] = (status.st_ino, status.st_mtime_ns)
    return found


def changed(before: Stamps, after: Stamps) -> list[str]:
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))


def save(path: Path, text: str) -> None:
    """As an editor saves: open, write, close."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def pdf_text(data: bytes) -> str:
    """The PDF's text without white space (a line may break anywhere)."""
    from pypdf import PdfReader

    return re.sub(r"\s+", "", "".join(page.extract_text()
                                      for page in PdfReader(io.BytesIO(data)).pages))


def get(url: str) -> bytes:
    """The body at ``url`` if it answers 200; nothing while serve cannot answer."""
    try:
        status, _, body = fetch(url)
    except OSError:
        return b""
    return body if status == 200 else b""


def wait_idle(served: Served, start: int) -> None:
    """Wait until serve says it has done all the work of what happened since its output
    line ``start``: its ``IDLE_LINE``."""
    served.wait_for_output_after(start, f"^{re.escape(IDLE_LINE)}$", IDLE_TIMEOUT)


class Session:
    """A running serve on the copy of the repository's project, and the edits made to it."""

    def __init__(self, served: Served) -> None:
        self.served, self.root = served, served.root
        self.build = self.root / "build"
        self.text = (self.root / SOURCE).read_text(encoding="utf-8")
        assert WORD in self.text.split("\n---\n", 1)[1].split("\n\n", 1)[0], \
            f"the overview of {SOURCE} no longer holds '{WORD}': choose another word"
        self.page_url = f"{served.url}en/{LEAFLET}/"
        status, _, page = fetch(self.page_url)
        links = re.findall(r'href="([^"]*-a4\.pdf)"', page.decode())
        assert status == 200 and links, f"{self.page_url} ({status}) links to no A4 PDF"
        self.pdf_url = urljoin(self.page_url, links[0])

    def translations(self) -> Stamps:
        folders = [folder for folder in self.build.glob(f"*/{LEAFLET}")
                   if folder.parent.name not in ("en", "preview")]
        assert len(folders) == 2, f"expected the es and ar outputs, found {folders}"
        return stamps(folders, self.build)

    def own(self) -> Stamps:
        """The edited leaflet's outputs but its A4 PDF: the other layouts'."""
        return {name: stamp for name, stamp in
                stamps([self.build / "en" / LEAFLET], self.build).items()
                if Path(name).name != Path(self.pdf_url).name and "/proofs/" not in name}

    def edit(self, word: str) -> Edit:
        """Save ``word`` in place of ``WORD``; poll the page and the A4 PDF until both show
        it (or ``SHOW_TIMEOUT``), then wait until serve is idle."""
        start = len(self.served.stdout)
        translations, own = self.translations(), self.own()
        served_pdf = get(self.pdf_url)
        save(self.root / SOURCE, self.text.replace(WORD, word, 1))
        saved, saved_ns = time.monotonic(), (self.root / SOURCE).stat().st_mtime_ns
        result = Edit(word, saved_ns, translations, {}, own, {})
        while time.monotonic() < saved + SHOW_TIMEOUT and self.served.process.poll() is None:
            if result.page_seen_s is None and word.encode() in get(self.page_url):
                result.page_seen_s, result.own_at_page = time.monotonic() - saved, self.own()
            if result.a4_seen_s is None:
                pdf = get(self.pdf_url)
                if pdf and pdf != served_pdf:
                    served_pdf = pdf
                    if word in pdf_text(pdf):
                        result.a4_seen_s = time.monotonic() - saved
            if result.page_seen_s is not None and result.a4_seen_s is not None:
                break
            time.sleep(POLL_SECONDS)
        wait_idle(self.served, start)
        result.translations_after, result.own_after = self.translations(), self.own()
        result.printed = [line.rstrip("\n") for line in self.served.stdout[start:]]
        result.transcript = self.served.transcript()
        return result


@pytest.fixture(scope="module")
def edit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edit]:
    root = copy_repository(tmp_path_factory.mktemp("serve-priority"), LAYOUTS)
    with serving_project(root) as served:
        wait_idle(served, 0)
        session = Session(served)
        session.edit("zqwarmup")
        yield session.edit("zqedited")


def test_a_body_edit_leaves_the_translations_outputs_untouched(edit: Edit) -> None:
    touched = changed(edit.translations_before, edit.translations_after)
    assert not touched, (f"a one-word edit of the English overview rewrote {len(touched)} "
                         f"files of its translations: {touched}\n{edit.transcript}")


def test_the_page_and_the_a4_pdf_show_the_edit(edit: Edit) -> None:
    assert edit.page_seen_s is not None, \
        f"the page never showed '{edit.word}' in {SHOW_TIMEOUT:.0f} s:\n{edit.transcript}"
    assert edit.a4_seen_s is not None, \
        f"the A4 PDF never showed '{edit.word}' in {SHOW_TIMEOUT:.0f} s:\n{edit.transcript}"


def test_the_page_shows_the_edit_before_the_other_layouts_are_made(edit: Edit) -> None:
    assert edit.own_at_page is not None, f"the page never showed '{edit.word}'"
    rebuilt = changed(edit.own_before, edit.own_after)
    assert rebuilt, (f"the edit rebuilt none of the leaflet's other outputs "
                     f"{sorted(edit.own_before)}:\n{edit.transcript}")
    later = [name for name in rebuilt if edit.own_at_page.get(name) == edit.own_before.get(name)]
    at_page = {name: "not there" if name not in edit.own_at_page else
               f"{(edit.own_at_page[name][1] - edit.saved_ns) / 1e6:+.0f} ms"
               for name in rebuilt}
    assert later, (f"when the page first showed the edit ({edit.page_seen_s:.2f} s after the "
                   f"save), every other output of the leaflet was already rewritten (mtime "
                   f"against the save): {at_page}; the page waited for them")


def test_serve_says_when_it_is_idle(edit: Edit) -> None:
    assert IDLE_LINE in [line.strip() for line in edit.printed], \
        f"no '{IDLE_LINE}' once the edit's work was done:\n{edit.transcript}"


#: Many layouts, so that the rest of the work after the A4 lasts long enough to be
#: superseded by a save made as soon as the A4 is out.
MANY_LAYOUTS = ["a4", "large-print", "booklet-a5", "trifold-a4", "trifold-letter", "epub"]


def test_a_newer_save_supersedes_the_pending_work_and_nothing_stale_is_recorded(
        tmp_path: Path) -> None:
    root = copy_repository(tmp_path, MANY_LAYOUTS)
    source = root / SOURCE
    text = source.read_text(encoding="utf-8")
    with serving_project(root) as served:
        wait_idle(served, 0)
        start = len(served.stdout)
        save(source, text.replace(WORD, "zqfirst", 1))
        served.wait_for_output_after(start, r"^a4 updated: ", SHOW_TIMEOUT)
        # While the other layouts are made; saved as sed -i saves, through a temporary
        # file renamed over the source, which serve must see as a save of the source.
        temporary = source.with_name("sedQx1Zt")
        save(temporary, text.replace(WORD, "zqsecond", 1))
        os.replace(temporary, source)
        superseded = served.wait_for_output_after(start, r"^Superseded by a newer save",
                                                  SHOW_TIMEOUT)
        after = served.stdout.index(superseded)
        served.wait_for_output_after(after, r"^Page updated: source/en/", SHOW_TIMEOUT)
        wait_idle(served, start)
        printed = [line.strip() for line in served.stdout[start:]]
        page = get(f"{served.url}en/{LEAFLET}/")
    summaries = [line for line in printed if re.search(r"^\d+ built, ", line)]
    assert len(summaries) == 1, f"the first save's work was not cut short: {printed}"
    assert b"zqsecond" in page and b"zqfirst" not in page
    # Every output serve recorded is of the newest text: a build finds nothing to do,
    # and each shows the second word.
    built = subprocess.run([sys.executable, "-m", "careleaf", "build", "--no-proofs"],
                           cwd=root, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0 and re.search(r"^0 built, ", built.stdout, re.M), built.stdout
    folder = root / "build" / "en" / LEAFLET
    for pdf in sorted(folder.glob("*.pdf")):
        assert "zqsecond" in pdf_text(pdf.read_bytes()), pdf.name
    with zipfile.ZipFile(folder / f"{LEAFLET}.epub") as book:
        assert any(b"zqsecond" in book.read(name) for name in book.namelist()
                   if name.endswith(".xhtml"))
