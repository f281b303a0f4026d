"""Crashes, races and damage: a build killed at any moment, builds run at the same time,
a source or image edited while it renders, and outputs damaged after the build.

Whatever happened before, the next ``careleaf build`` must leave every output whole
and matching its source, no temporary file behind, a manifest that is valid JSON and
true (a second build then has nothing to do), and a project that ``careleaf check``
passes and ``careleaf publish`` publishes, offering the very files the build made (the
leaflets are approved, so the publish gate lets them through). The kill test and the
concurrency test run the real CLI as separate processes (``python -m careleaf``, with
the same careleaf as these tests import), because a ``kill -9`` must take the pool
workers with it; the others run it in this process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from pypdf import PdfReader

import careleaf
import careleaf.pipeline.tasks
from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Report
from careleaf.formats.job import Job, Rendered
from careleaf.outputs import Format
from careleaf.render.html import render_html
from careleaf.source.model import Leaflet
from conftest import APPROVED, COMPLETENESS_ONLY, MINIMAL, REPO, TmpProject

#: The careleaf these tests import: the CLI run in subprocesses must be the same code.
SCRIPTS = Path(careleaf.__file__).resolve().parents[1]
LAYOUTS = ("a4", "booklet-a5", "epub")
LEAFLETS = ("minimal", "second")
#: Each (leaflet, layout): its output and the files written beside it.
OUTPUTS = {"a4": ("{id}-a4.pdf",), "booklet-a5": ("{id}-booklet-a5.pdf",
                                                  "{id}-booklet-a5-imposed.pdf"),
           "epub": ("{id}.epub",)}
TODAY = ("--today", "2026-12-06")
CHECK = ("check", *COMPLETENESS_ONLY, *TODAY)
#: The treatment sentence each round of edits rewrites: "A warm <word> can help ...".
SENTENCE = "A warm bath can help the muscle relax."
WORDS = ("bath", "shower", "towel", "blanket", "compress", "soak", "flannel", "wrap")
UP_TO_DATE = re.compile(r"^0 built, (\d+) up to date, 0 failed", re.MULTILINE)
#: Anything that runs careleaf as a separate process gets this long, so no test hangs.
TIMEOUT = 180.0


# ---------------------------------------------------------------------------------------
# A small project of two leaflets in three layouts, and the CLI run as a process.


def crash_project(root: Path, word: str = "bath") -> TmpProject:
    shutil.copytree(REPO / "layouts", root / "layouts")
    project = TmpProject(root)
    project.write("careleaf.toml", f"layouts = {json.dumps(list(LAYOUTS))}\n")
    write_sources(project, word)
    return project


def write_sources(project: TmpProject, word: str) -> None:
    """The two leaflets with ``word`` in a sentence, each text approved on its own day
    (an approval covers the text it approved, so each edit is approved again)."""
    day = f"2026-03-{2 + WORDS.index(word):02d}" if word in WORDS else "2026-03-01"
    text = APPROVED.replace(SENTENCE, f"A warm {word} can help the muscle relax.").replace(
        "approved_on: 2026-03-01", f"approved_on: {day}")
    project.write("source/en/minimal.md", text)
    project.write("source/en/second.md", text.replace("title: Leg cramps",
                                                      "title: Night cramps"))


def careleaf_command(project: TmpProject, *args: str) -> list[str]:
    return [sys.executable, "-m", "careleaf", args[0], "-C", str(project.root), *args[1:]]


def child_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SCRIPTS), *([path] if path else [])]), "NO_COLOR": "1"}


def run_careleaf(project: TmpProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(careleaf_command(project, *args), capture_output=True, text=True,
                          env=child_env(), timeout=TIMEOUT, check=False)


def wait_for_group_to_end(group: int) -> None:
    """Wait (bounded) until no process of ``group`` exists, not even as a zombie: the next
    build sweeps only the temporary files of processes that are gone."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    pytest.fail(f"processes of the killed build (group {group}) still exist after 30 s; "
                "are orphaned zombies reaped on this machine?")


def build_killed_after(project: TmpProject, delay: float, *args: str) -> bool:
    """Run ``careleaf build -j2`` and ``kill -9`` it with its workers after ``delay``
    seconds; True if it was killed, False if it had finished before."""
    log = project.root.parent / "killed-build.log"
    with log.open("wb") as out:
        process = subprocess.Popen(careleaf_command(project, "build", "-j2", *args),
                                   stdout=out, stderr=subprocess.STDOUT, env=child_env(),
                                   start_new_session=True)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
        wait_for_group_to_end(process.pid)
        return True
    assert process.returncode == 0, log.read_text(errors="replace")
    wait_for_group_to_end(process.pid)
    return False


# ---------------------------------------------------------------------------------------
# What a whole, true build looks like.


def pdf_text(path: Path) -> str:
    """The PDF's text, whitespace collapsed; it must open with both PDFium and pypdf."""
    document = pdfium.PdfDocument(str(path))
    try:
        assert len(document) >= 1, f"{path} has no page"
    finally:
        document.close()
    reader = PdfReader(path, strict=True)
    assert len(reader.pages) >= 1, f"{path} has no page"
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_pages(path: Path) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def epub_text(path: Path) -> str:
    """The text of the EPUB's leaflet document; it must be a whole zip, mimetype first."""
    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None, f"{path} has a damaged member"
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        data = book.read("EPUB/leaflet.xhtml").decode()
    return " ".join(re.sub(r"<[^>]+>", " ", data).split())


def assert_png_whole(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG"
    assert data[-12:-4] == b"\x00\x00\x00\x00IEND", f"{path} is cut short"


def assert_no_temp_files(project: TmpProject) -> None:
    left = sorted(str(path.relative_to(project.root))
                  for path in (project.root / "build").rglob(".*.tmp"))
    assert not left, f"temporary files left behind: {left}"


def outputs(project: TmpProject) -> list[Path]:
    """Every file the build makes for the download site, each leaflet's in each layout."""
    return [project.root / "build" / "en" / leaflet / pattern.format(id=leaflet)
            for leaflet in LEAFLETS for patterns in OUTPUTS.values() for pattern in patterns]


def assert_build_whole(project: TmpProject, word: str) -> None:
    """Every output exists, is whole and says ``A warm <word>`` (the source as it is now)
    with its proofs; the manifest is valid JSON."""
    build = project.root / "build"
    expected = f"A warm {word} can help the muscle relax."
    for leaflet in LEAFLETS:
        folder = build / "en" / leaflet
        for layout, patterns in OUTPUTS.items():
            for pattern in patterns:
                path = folder / pattern.format(id=leaflet)
                assert path.is_file(), f"{path} is missing"
                if layout == "epub":
                    assert expected in epub_text(path), f"{path} does not say {expected!r}"
                else:
                    text = pdf_text(path)
                    if not path.stem.endswith("-imposed"):
                        assert expected in text, f"{path} does not say {expected!r}"
                    for page in range(1, pdf_pages(path) + 1):
                        assert_png_whole(folder / "proofs" / f"{path.stem}-{page}.png")
    manifest = json.loads((build / ".careleaf-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == sorted(
        f"en/{leaflet}/{OUTPUTS[layout][0].format(id=leaflet)}"
        for leaflet in LEAFLETS for layout in LAYOUTS)
    for path in (build / ".careleaf-cache").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def assert_nothing_to_do(project: TmpProject, context: str = "") -> None:
    again = run_careleaf(project, "build", "-j2")
    assert again.returncode == 0, f"{context}:\n{again.stdout}{again.stderr}"
    done = UP_TO_DATE.search(again.stdout)
    assert done and int(done[1]) == len(LEAFLETS) * len(LAYOUTS), (
        f"{context}: a build after a complete one must have nothing to do:\n"
        f"{again.stdout}{again.stderr}")


def assert_checked_and_published(project: TmpProject, context: str = "") -> None:
    """A full ``careleaf check`` passes, then ``careleaf publish`` publishes every leaflet,
    its site offering exactly the files the build made, each whole."""
    for args in (("check", *TODAY), ("publish", *TODAY)):
        done = run_careleaf(project, *args)
        assert done.returncode == 0, f"{context}: {args[0]}:\n{done.stdout}{done.stderr}"
    site = project.root / "build" / "site"
    for path in outputs(project):
        offered = site / "en" / path.parent.name / path.name
        assert offered.read_bytes() == path.read_bytes(), (
            f"{context}: the site offers another {path.name} than the build made")
    for path in site.rglob("*.png"):
        assert_png_whole(path)


# ---------------------------------------------------------------------------------------
# (a) kill -9 at pseudo-random moments.

SEED = 20261206
KILLS = 6


def test_kill_9_at_any_moment_leaves_nothing_broken_after_the_next_build(
        tmp_path: Path) -> None:
    project = crash_project(tmp_path / "project")
    started = time.monotonic()
    first = run_careleaf(project, "build", "-j2")
    whole_build = time.monotonic() - started
    assert first.returncode == 0, first.stdout + first.stderr
    assert_build_whole(project, WORDS[0])
    # One moment in each sixth of a build, from 0.2 s on: the same moments every run.
    rng, start = random.Random(SEED), 0.2
    span = max(whole_build, 2 * start) - start
    moments = [start + span * (index + rng.random()) / KILLS for index in range(KILLS)]
    killed = []
    word = WORDS[0]
    for index, moment in enumerate(moments):
        # From nothing; over outputs of an older text; over identical outputs (--force).
        kind = ("empty", "edited", "forced")[index % 3]
        if kind == "empty":
            shutil.rmtree(project.root / "build")
        if kind != "forced":
            word = WORDS[index + 1]
            write_sources(project, word)
        if build_killed_after(project, moment, *(("--force",) if kind == "forced" else ())):
            killed.append(f"{kind} at {moment:.2f} s")
        after = run_careleaf(project, "build", "-j2")
        context = f"after a build killed {kind} at {moment:.2f} s"
        assert after.returncode == 0, f"{context}:\n{after.stdout}{after.stderr}"
        assert_no_temp_files(project)
        assert_build_whole(project, word)
        assert_nothing_to_do(project, context)
        assert_checked_and_published(project, context)
    assert killed, f"no kill landed during a build (a whole build took {whole_build:.2f} s)"


# ---------------------------------------------------------------------------------------
# (b) builds at the same time.

#: What a build that found another one running may say instead of building.
ANOTHER_BUILD = re.compile(r"another .*build|already running|is locked", re.IGNORECASE)


@pytest.mark.parametrize("start", ["empty", "edited"])
def test_concurrent_builds_all_succeed_and_leave_a_true_manifest(
        tmp_path: Path, start: str) -> None:
    project = crash_project(tmp_path / "project")
    word = WORDS[0]
    if start == "edited":
        assert run_careleaf(project, "build", "-j2").returncode == 0
        word = WORDS[1]
        write_sources(project, word)
    runs = [("build", "-j2"), ("build", "-j2"), ("build", "-j2", "--force")]
    processes = [subprocess.Popen(careleaf_command(project, *args), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=child_env(),
                                  start_new_session=True)
                 for args in runs]
    outputs = []
    try:
        for process in processes:
            outputs.append((process.communicate(timeout=TIMEOUT)[0], process.returncode))
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    succeeded = 0
    for args, (output, code) in zip(runs, outputs, strict=True):
        assert code == 0 or ANOTHER_BUILD.search(output), f"{' '.join(args)}:\n{output}"
        succeeded += code == 0
    assert succeeded >= 1
    assert_no_temp_files(project)
    assert_build_whole(project, word)
    assert_nothing_to_do(project)
    assert_checked_and_published(project)


# ---------------------------------------------------------------------------------------
# (c) a source or an image edited while the build renders.


def pdf_says(path: Path, text: str) -> bool:
    return text in pdf_text(path)


def test_a_source_edited_while_rendering_is_built_again(
        minimal: TmpProject, monkeypatch: pytest.MonkeyPatch) -> None:
    source = minimal.root / "source" / "en" / "minimal.md"
    calls: list[str] = []

    def edit_then_render(leaflet: Leaflet, layout: Layout, brand: Brand) -> str:
        if not calls:  # the leaflet has been read; the writer saves a change now
            source.write_text(source.read_text(encoding="utf-8").replace(
                "A warm bath", "A warm shower"), encoding="utf-8")
        calls.append(layout.name)
        return render_html(leaflet, layout, brand)

    monkeypatch.setattr(careleaf.pipeline.tasks, "render_html", edit_then_render)
    first = minimal.run("build", "-j1")
    assert first.exit_code == 0, first.output
    assert sorted(calls) == ["a4", "epub"]
    monkeypatch.undo()
    pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    epub = minimal.output("en", "minimal", "minimal.epub")
    # What was rendered is the text as it was read, before the edit.
    assert pdf_says(pdf, "A warm bath") and "A warm bath" in epub_text(epub)

    second = minimal.run("build", "-j1")
    assert second.exit_code == 0, second.output
    assert not UP_TO_DATE.search(second.stdout), (
        "outputs rendered from the text before the edit were recorded as fresh:\n"
        + second.stdout)
    assert pdf_says(pdf, "A warm shower") and "A warm shower" in epub_text(epub)
    assert UP_TO_DATE.search(minimal.run("build", "-j1").stdout)
    check = minimal.run(*CHECK)
    assert check.exit_code == 0, check.output


def png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def pdf_image_sizes(path: Path) -> list[tuple[int, int]]:
    return [image.image.size for page in PdfReader(path).pages for image in page.images
            if image.image is not None]


@contextlib.contextmanager
def image_edited_after_first_render(monkeypatch: pytest.MonkeyPatch, image: Path,
                                    new: bytes) -> Iterator[list[str]]:
    """Every format's rendering wrapped: once the first output has been rendered (its
    renderer read the image), the image is replaced, before the build records that output."""
    rendered: list[str] = []
    real = Format.render

    def wrapped(self: Format, job: Job, report: Report) -> Rendered:
        result: Rendered = real(self, job, report)
        if not rendered:
            image.write_bytes(new)
        rendered.append(job.layout.name)
        return result

    monkeypatch.setattr(Format, "render", wrapped)
    try:
        yield rendered
    finally:
        monkeypatch.undo()


def test_an_image_edited_while_rendering_is_built_again(
        minimal: TmpProject, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = png((8, 8), (10, 85, 97)), png((24, 6), (200, 30, 30))
    minimal.write("source/en/minimal.md", MINIMAL + "\n![A warm bath](img/bath.png)\n")
    image = minimal.write("source/en/img/bath.png", old)
    with image_edited_after_first_render(monkeypatch, image, new) as rendered:
        first = minimal.run("build", "-j1")
    assert first.exit_code == 0, first.output
    assert sorted(rendered) == ["a4", "epub"]
    pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    epub = minimal.output("en", "minimal", "minimal.epub")
    first_output = rendered[0]
    if first_output == "a4":
        assert (8, 8) in pdf_image_sizes(pdf)

    second = minimal.run("build", "-j1")
    assert second.exit_code == 0, second.output
    assert not UP_TO_DATE.search(second.stdout), (
        f"the {first_output} output, rendered with the image before the edit, was recorded "
        f"as fresh:\n{second.stdout}")
    assert (24, 6) in pdf_image_sizes(pdf) and (8, 8) not in pdf_image_sizes(pdf)
    with zipfile.ZipFile(epub) as book:
        assert [book.read(name) for name in book.namelist()
                if name.endswith("/img/bath.png")] == [new]
    assert UP_TO_DATE.search(minimal.run("build", "-j1").stdout)


# ---------------------------------------------------------------------------------------
# (d) outputs damaged after the build.


@dataclass(frozen=True)
class Damage:
    name: str
    layout: str


DAMAGES = [Damage("minimal-a4.pdf", "a4"), Damage("minimal-booklet-a5.pdf", "booklet-a5"),
           Damage("minimal-booklet-a5-imposed.pdf", "booklet-a5"),
           Damage("minimal.epub", "epub")]


@pytest.mark.parametrize("damage", DAMAGES, ids=[damage.name for damage in DAMAGES])
def test_a_truncated_output_is_built_again_and_not_offered(
        approved: TmpProject, damage: Damage) -> None:
    approved.write("careleaf.toml", f"layouts = {json.dumps(list(LAYOUTS))}\n")
    published = approved.publish(*TODAY)
    assert published.exit_code == 0, published.output
    path = approved.output("en", "minimal", damage.name)
    whole = path.read_bytes()
    assert len(whole) > 2000
    os.truncate(path, 2000)  # as `truncate -s 2000`: a copy cut short, a disk that filled

    site = approved.root / "build" / "site"
    held = approved.run("publish", *TODAY)
    assert held.exit_code == 1
    refusals = [line for line in held.stderr.splitlines() if line.endswith("; not published")]
    assert len(refusals) == 1, held.stderr
    assert refusals[0].startswith(f"{approved.root / 'source/en/minimal.md'}: error: ")
    assert f"{path} is 2,000 bytes, but the build wrote" in refusals[0], refusals
    assert refusals[0].endswith(": run 'careleaf build'; not published"), refusals
    assert not (site / "en" / "minimal").exists()
    for page in site.rglob("*.html"):
        assert ", 2 KB" not in page.read_text(encoding="utf-8"), f"{page} lists a 2 KB file"

    rebuilt = approved.run("build", "-j1")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"1 built, {len(LAYOUTS) - 1} up to date, 0 failed" in rebuilt.stdout, (
        f"a cut-short {damage.name} was taken as up to date:\n{rebuilt.stdout}")
    assert path.read_bytes() == whole
    if damage.layout == "epub":
        assert "A warm bath" in epub_text(path)
    else:
        assert pdf_text(path)
    for args in (("check", *TODAY), ("publish", *TODAY)):
        result = approved.run(*args)
        assert result.exit_code == 0, result.output
    assert (site / "en" / "minimal" / damage.name).read_bytes() == whole
    for page in (site / "en" / "index.html", site / "en" / "minimal" / "index.html"):
        assert ", 2 KB" not in page.read_text(encoding="utf-8"), f"{page} lists a 2 KB file"
    assert UP_TO_DATE.search(approved.run("build", "-j1").stdout)


# ---------------------------------------------------------------------------------------
# Temporary files of killed builds, wherever a build writes, are swept by the next one.


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=TIMEOUT)
    return process.pid


@pytest.mark.parametrize("work", ["edited", "nothing-to-do"])
def test_temporary_files_of_a_killed_build_are_swept_everywhere(
        approved: TmpProject, work: str) -> None:
    """What ``write_atomic`` leaves when killed between writing and renaming, in each
    folder a build or a publish writes to. With nothing to do, as after a ``build
    --force`` killed over a complete build (or a publish killed while writing the site's
    record): the manifest says every output is fresh, yet the killed process's temporary
    files must go (its mark of writing under build/ says there are some). With an edit,
    as after a build killed over outputs of an older text: then a publish killed while
    writing the site leaves its files there, and the next publish sweeps them."""
    approved.write("careleaf.toml", f"layouts = {json.dumps(list(LAYOUTS))}\n")
    published = approved.publish(*TODAY)
    assert published.exit_code == 0, published.output
    build, pid = approved.root / "build", dead_pid()
    planted = [build / f".careleaf-manifest.json.{pid}.tmp",
               build / f".careleaf-site.json.{pid}.tmp",
               build / ".careleaf-cache" / "pages" / f".{'0' * 64}.json.{pid}.tmp",
               build / "en" / "minimal" / f".minimal-a4.pdf.{pid}.tmp",
               build / "en" / "minimal" / f".minimal-booklet-a5-imposed.pdf.{pid}.tmp",
               build / "en" / "minimal" / "proofs" / f".minimal-a4-1.png.{pid}.tmp"]
    if work == "edited":
        source = approved.root / "source" / "en" / "minimal.md"
        source.write_text(APPROVED.replace("A warm bath", "A warm shower").replace(
            "approved_on: 2026-03-01", "approved_on: 2026-03-02"), encoding="utf-8")
        planted += [build / "site" / f".index.html.{pid}.tmp",
                    build / "site" / "en" / "minimal" / f".minimal.epub.{pid}.tmp"]
    for path in planted:
        path.write_bytes(b"half a file")
    # What a killed build also leaves: its mark of writing under build/.
    (build / f".careleaf-writing.{pid}").touch()
    result = approved.run("build", "-j1")
    assert result.exit_code == 0, result.output
    assert_no_temp_files(approved)
    if work == "edited":
        assert approved.run("check", *TODAY).exit_code == 0
        site = build / "site"
        for path in (site / f".index.html.{pid}.tmp", build / f".careleaf-site.json.{pid}.tmp",
                     site / "en" / "minimal" / f".minimal-a4.pdf.{pid}.tmp"):
            path.write_bytes(b"half a file")
        (build / f".careleaf-writing.{pid}").touch()  # the killed publish's mark
        result = approved.run("publish", *TODAY)
        assert result.exit_code == 0, result.output
        assert_no_temp_files(approved)
        assert "A warm shower" in (site / "en" / "minimal" / "index.html").read_text(
            encoding="utf-8")
