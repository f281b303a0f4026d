"""Hostile sources: broken and malicious files never crash careleaf, hang it or leak a file.

``tests/fixtures/hostile/source/`` is a corpus of leaflet sources, one attack or mistake
per file, and ``expected.txt`` lists the diagnostics careleaf must print for each. The
corpus is copied into a project together with things git cannot hold (a 10 MB source,
symlinks to ``/etc/passwd``) and one valid leaflet, then built with the real command
once, while a local HTTP server counts every connection. The build must report every
file at its line, build the valid leaflet, build nothing of the corpus, call nobody and
put nothing of ``/etc/passwd`` in any output.

Then each corpus file is loaded on its own in a watched process (no crash, no hang, no
memory blow-up), and hypothesis feeds ``load_leaflet`` arbitrary text, bytes and almost
valid leaflets: a user's mistake may only ever become diagnostics.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from careleaf.errors import CareleafError, Report
from careleaf.project import Project
from careleaf.source.load import load_leaflet
from careleaf.source.model import Leaflet
from conftest import CountingServer, counting_server

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "fixtures" / "hostile"
MINIMAL = REPO / "tests" / "fixtures" / "minimal" / "source" / "en" / "minimal.md"
PASSWD = Path("/etc/passwd")
#: What must never appear in an output: the start of /etc/passwd's first line.
SECRET = b"root:"
#: Written in the corpus and in expected.txt; replaced by the test server's address.
PLACEHOLDER = "127.0.0.1:PORT"
HUGE_BYTES = 10_000_000
#: Address space allowed to each careleaf process: a blow-up fails fast, not the machine.
MEMORY_LIMIT = 2 * 1024**3
#: A corpus file that takes longer than this to load is a bug.
SECONDS_PER_FILE = 2.0


# --- the corpus, built once ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[CountingServer]:
    """A local server the corpus points at: it must receive no connection at all."""
    pixel = (CORPUS / "source" / "en" / "images" / "pixel.png").read_bytes()
    with counting_server(pixel) as running:
        yield running


@dataclass
class Built:
    root: Path
    #: The corpus sources, as careleaf prints them: ``source/<lang>/<name>.md``.
    corpus: list[str]
    #: ``expected.txt`` with the server's address filled in, comments dropped.
    expected: list[str]
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def show(self, limit: int = 6000) -> str:
        return f"exit {self.returncode}\nstderr:\n{self.stderr[-limit:]}"


def make_project(root: Path, address: str) -> list[str]:
    """The corpus at ``root`` with layouts, generated files and symlinks; its sources."""
    shutil.copytree(CORPUS / "source", root / "source")
    shutil.copytree(REPO / "layouts", root / "layouts")
    for path in (root / "source").rglob("*"):  # before any symlink exists
        data = path.read_bytes() if path.is_file() else b""
        if PLACEHOLDER.encode() in data:
            path.write_bytes(data.replace(PLACEHOLDER.encode(), address.encode()))
    en = root / "source" / "en"
    text = MINIMAL.read_bytes()
    (en / "huge.md").write_bytes(text + b"\n" + b"x" * (HUGE_BYTES - len(text) - 1))
    (en / "images" / "passwd.png").symlink_to(PASSWD)
    (en / "passwd-source.md").symlink_to(PASSWD)
    return sorted(path.relative_to(root).as_posix() for path in root.glob("source/*/*.md"))


def read_expected(address: str) -> list[str]:
    text = (CORPUS / "expected.txt").read_text(encoding="utf-8")
    return [line.replace(PLACEHOLDER, address) for line in text.splitlines()
            if line and not line.startswith("#")]


def matches(expected: str, line: str) -> bool:
    """An expected line is exact, or a prefix when it ends in '...'."""
    return line.startswith(expected[:-3]) if expected.endswith("...") else line == expected


def _limit_memory(pid: int) -> None:
    resource.prlimit(pid, resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, server: CountingServer) -> Built:
    """The corpus plus one valid leaflet, built once with the real command."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = make_project(root, server.address)
    shutil.copy(MINIMAL, root / "source" / "en" / "good.md")
    # Popen rather than run: the memory limit is set on the child (preexec_fn is unsafe
    # with the server thread running), and a hang kills its worker processes too.
    process = subprocess.Popen(
        [sys.executable, "-m", "careleaf", "build", "-C", str(root)], cwd=root,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    _limit_memory(process.pid)
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += "\n[test: careleaf build did not finish in 120 s and was killed]"
    return Built(root, corpus, read_expected(server.address), process.returncode, stdout,
                 stderr)


def test_corpus_and_expected_name_the_same_files(built: Built) -> None:
    """Each corpus file has expectations, and each expectation is about a corpus file."""
    named = {line.split(":")[0] for line in built.expected}
    assert sorted(named) == built.corpus
    assert len(built.corpus) >= 32


def test_build_fails_cleanly(built: Built) -> None:
    assert "Traceback" not in built.stderr, built.show()
    assert built.returncode == 1, built.show()


def test_every_expected_diagnostic_is_printed(built: Built) -> None:
    missing = [e for e in built.expected if not any(matches(e, line) for line in built.lines)]
    assert not missing, "not printed:\n" + "\n".join(missing) + "\n\n" + built.show()


def test_no_other_diagnostic_names_a_source(built: Built) -> None:
    """Nothing unexpected about a corpus file, and nothing at all about the valid one."""
    unexpected = [line for line in built.lines if line.startswith("source/")
                  and not any(matches(e, line) for e in built.expected)]
    assert not unexpected, "not in expected.txt:\n" + "\n".join(unexpected)


def test_every_corpus_file_is_named_in_an_error(built: Built) -> None:
    silent = [name for name in built.corpus
              if not any(line.startswith(f"{name}:") and ": error: " in line
                         for line in built.lines)]
    assert not silent, f"no error names {silent}\n\n{built.show()}"


def test_nothing_reached_the_network(built: Built, server: CountingServer) -> None:
    assert server.hits == []


def test_valid_leaflet_built_and_no_corpus_leaflet(built: Built) -> None:
    good = built.root / "build" / "en" / "good"
    assert (good / "good-a4.pdf").is_file(), built.show()
    assert (good / "good.epub").is_file(), built.show()
    outputs = [name for name in built.corpus
               if (built.root / "build" / Path(name).parent.name / Path(name).stem).exists()]
    assert not outputs, f"built although invalid: {outputs}"


def test_python_tag_was_never_executed(built: Built) -> None:
    assert not (built.root / "pwned.txt").exists()
    assert not (REPO / "pwned.txt").exists()


def _pdf_contents(path: Path) -> Iterator[bytes]:
    """The text of every page and every stream, decompressed; fails on any attachment."""
    reader = PdfReader(path)
    assert list(reader.attachments) == [], f"{path} has attachments"
    for page in reader.pages:
        yield page.extract_text().encode()
    for generation, numbers in reader.xref.items():
        for number in numbers:
            obj = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(obj, StreamObject):
                yield obj.get_data()


def _contents(path: Path) -> Iterator[bytes]:
    yield path.read_bytes()
    if path.suffix == ".pdf":
        yield from _pdf_contents(path)
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                yield book.read(name)


def test_no_output_contains_the_password_file(built: Built) -> None:
    outputs = [path for path in (built.root / "build").rglob("*") if path.is_file()]
    assert any(path.suffix == ".pdf" for path in outputs), built.show()
    leaks = [str(path) for path in outputs if any(SECRET in data for data in _contents(path))]
    assert not leaks, f"{SECRET!r} found in {leaks}"
    assert SECRET.decode() not in built.stderr + built.stdout


# --- each file on its own: no crash, no hang, no memory blow-up ------------------------------

#: Loads each file named on the command line and prints one JSON line per file. A file
#: that hangs makes faulthandler dump the stack to stderr and end the process.
LOADER = """
import faulthandler, json, resource, sys, time
from pathlib import Path
from careleaf.errors import CareleafError, Report
from careleaf.source.load import load_leaflet
from careleaf.project import Project

limit, watchdog, root = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
for name in sys.argv[4:]:
    print(json.dumps({"start": name}), flush=True)
    faulthandler.dump_traceback_later(watchdog, exit=True)
    started, problem = time.perf_counter(), None
    try:
        load_leaflet(root / name, Project(root), Report())
    except CareleafError:
        pass
    except BaseException as exc:
        problem = f"{type(exc).__name__}: {exc}"[:300]
    faulthandler.cancel_dump_traceback_later()
    print(json.dumps({"done": name, "seconds": time.perf_counter() - started,
                      "problem": problem}), flush=True)
"""


def _load_each(root: Path, names: list[str]) -> dict[str, str]:
    """Every file that crashed, hung or was slow, with what happened."""
    problems: dict[str, str] = {}
    todo = list(names)
    while todo:
        done = subprocess.run(
            [sys.executable, "-c", LOADER, str(MEMORY_LIMIT // 2), str(SECONDS_PER_FILE * 3),
             str(root), *todo], cwd=root, capture_output=True, text=True, timeout=120)
        started: str | None = None
        for line in done.stdout.splitlines():
            record = json.loads(line)
            if "start" in record:
                started = record["start"]
                continue
            started = None
            todo.remove(record["done"])
            if record["problem"]:
                problems[record["done"]] = record["problem"]
            elif record["seconds"] > SECONDS_PER_FILE:
                problems[record["done"]] = f"took {record['seconds']:.1f} s"
        if started is not None:  # the watchdog, or the memory limit, ended the process
            stack = " <- ".join(line.strip() for line in done.stderr.splitlines()
                                if line.strip().startswith("File "))
            problems[started] = f"hung, killed after {SECONDS_PER_FILE * 3:.0f} s: {stack}"
            todo.remove(started)
        elif done.returncode:
            problems["(loader)"] = done.stderr[-2000:]
            break
    return problems


def test_each_corpus_file_loads_fast_without_crashing(tmp_path: Path,
                                                     server: CountingServer) -> None:
    corpus = make_project(tmp_path, server.address)
    problems = _load_each(tmp_path, corpus)
    assert not problems, "\n".join(f"{name}: {what}" for name, what in problems.items())


# --- property tests: anything a user writes becomes diagnostics, never an exception -----------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one image, to load fuzzed sources in (layouts are not needed)."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "layouts").mkdir()
    (root / "source" / "en" / "images").mkdir(parents=True)
    shutil.copy(CORPUS / "source" / "en" / "images" / "pixel.png",
                root / "source" / "en" / "images" / "pixel.png")
    return root


def check_load(root: Path, data: str | bytes) -> Leaflet | None:
    """Load ``data`` as a source: a leaflet exactly when there is no error, lines in range."""
    path = root / "source" / "en" / "fuzzed.md"
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    path.write_bytes(raw)
    report = Report()
    try:
        leaflet = load_leaflet(path, Project(root), report)
    except CareleafError:
        return None
    assert (leaflet is None) == bool(report.errors), [str(d) for d in report]
    last_line = raw.count(b"\n") + raw.count(b"\r") + 2  # a body may start after the end
    for diagnostic in report:
        assert diagnostic.location.path == path
        line = diagnostic.location.line
        assert line is None or 1 <= line <= last_line, str(diagnostic)
    return leaflet


FUZZ = settings(max_examples=200, deadline=None)


@FUZZ
@given(text=st.text())
def test_any_text_becomes_diagnostics(scratch: Path, text: str) -> None:
    check_load(scratch, text)


@FUZZ
@given(data=st.binary())
def test_any_bytes_become_diagnostics(scratch: Path, data: bytes) -> None:
    check_load(scratch, data)


FRONT_MATTER = MINIMAL.read_text(encoding="utf-8").split("\n---\n", 1)[0] + "\n---\n"
#: Paths a hostile or careless writer might give an image.
IMAGE_PATHS = [
    "images/pixel.png", "images//pixel.png", "./images/pixel.png", "images/pixel.png?x=1",
    "images/pixel.png#top", "images/PIXEL.PNG", "images", "images/", "", "../en/images/pixel.png",
    "../../../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "FILE:///etc/passwd",
    "http://127.0.0.1:9/x.png", "//127.0.0.1:9/x.png", "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)", "%2e%2e/%2e%2e/%2e%2e/etc/passwd", "images/pixel.png%00.txt",
    "%00", "images/" + "a" * 300 + ".png", "a/" * 3000 + "x.png", "\\..\\..\\etc\\passwd",
    "<images/pixel.png>", "images/pixel.png 'title'", "~/.ssh/id_rsa", "C:/Windows/win.ini",
    "%ff%fe.png", "images/%E2%80%AE.png", ".", "..", "fuzzed.md",
]
PATH_PARTS = ["..", ".", "images", "pixel.png", "%00", "%2e", "%2f", "%", "", "~", " ", "x.svg",
              "a" * 255, "a" * 256, "\u202e", "\\"]
HTML_SNIPPETS = [
    "<script>alert(1)</script>", "<img src=file:///etc/passwd>", "<b>bold</b>", "<br>",
    "<!-- comment -->", "<link rel=attachment href=file:///etc/passwd>", "<iframe src=x>",
    "<style>@import url(http://127.0.0.1:9/x.css)</style>", "<?php echo 1; ?>", "<![CDATA[x]]>",
    "<svg onload=alert(1)>", "<a href='javascript:alert(1)'>x</a>", "</p>", "<", "&lt;b&gt;",
    "&#0;", "&#x110000;", "&nbsp;&amp;",
]
MARKUP = ["**", "*", "_", "`", "``", "[", "]", "(", ")", "![", "](", "{#", "}", "\\", "~~", "|",
          "...", "--", '"', "'", "\t", "  \n", "\n", "\r\n", "\r", "\x00", "\ufeff", "\u2028",
          "é", "ﬁ", "原因", "\u0301", "http://127.0.0.1:9/", "<http://127.0.0.1:9/>"]
IDS = ["causes", "treatment", "see-a-doctor", "x", "", "Bad", "../etc", "a--b", "-a", "{", "#",
       " ", "1", "é", "causes}", "a b"]

words = st.text(max_size=20)
images = st.builds(
    "![{}]({})".format, st.sampled_from(["", "A picture", "<b>x</b>", "[", "![a](b)"]) | words,
    st.sampled_from(IMAGE_PATHS) | st.lists(st.sampled_from(PATH_PARTS), max_size=8).map(
        "/".join) | words)
inline = st.lists(words | st.sampled_from(MARKUP + HTML_SNIPPETS) | images,
                  min_size=1, max_size=8).map("".join)
heading = st.builds(
    "{} {}{}".format, st.sampled_from(["##", "##", "###", "###", "#", "####", "###   "]),
    inline, st.sampled_from(IDS).map(" {{#{}}}".format) | st.just(""))
blocks = st.one_of(
    heading, inline, st.sampled_from(HTML_SNIPPETS),
    st.sampled_from(IMAGE_PATHS).map("![A picture]({})".format),
    st.lists(inline, min_size=1, max_size=5).map(lambda xs: "\n".join(f"- {x}" for x in xs)),
    st.lists(inline, min_size=1, max_size=5).map(lambda xs: "\n".join(f"1. {x}" for x in xs)),
    st.builds("{}{}".format, st.integers(1, 60).map(lambda n: "> " * n), inline),
    st.builds("{}{}".format, st.integers(1, 60).map(lambda n: "- " * n), inline),
    inline.map("```\n{}\n```".format),
    st.builds("| {} | {} |\n|---|---|\n| {} | {} |".format, words, words, inline, inline),
    st.builds("{}\n{}".format, inline, st.sampled_from(["===", "---", "***"])),
)
SKELETON = ("Overview text.\n\n## Causes {{#causes}}\n\n### First cause\n\nText.\n\n{}\n\n"
            "## Treatment {{#treatment}}\n\n### First treatment\n\nText.\n\n{}\n")


@st.composite
def almost_valid(draw: st.DrawFn) -> str:
    """Valid front matter; a body of random headings, paragraphs, lists, HTML and images."""
    middle = draw(st.lists(blocks, max_size=12).map("\n\n".join))
    end = draw(st.lists(blocks, max_size=6).map("\n\n".join))
    body = draw(st.sampled_from([SKELETON.format(middle, end), middle + "\n\n" + end]))
    return FRONT_MATTER + body


class _Tags(HTMLParser):
    """Every tag and attribute in a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "em", "strong", "a", "img", "code", "pre", "ul", "ol", "li", "blockquote",
             "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s"}


def assert_safe_html(leaflet: Leaflet) -> None:
    """A loaded leaflet's HTML has only Markdown's own tags, and images inside the project."""
    parts = [leaflet.overview_html]
    for section in leaflet.sections:
        parts += [section.title_html, section.intro_html]
        parts += [html for item in section.items for html in (item.title_html, item.body_html)]
    tags = _Tags()
    tags.feed("".join(parts))
    for tag, attrs in tags.found:
        assert tag in SAFE_TAGS, tag
        src, href = attrs.get("src") or "", attrs.get("href") or ""
        if tag == "img":
            assert ":" not in src and not src.startswith(("/", "..")), src
        assert not href.lower().startswith(("javascript:", "file:", "data:", "vbscript:")), href


@FUZZ
@given(source=almost_valid())
def test_almost_valid_sources_become_diagnostics(scratch: Path, source: str) -> None:
    leaflet = check_load(scratch, source)
    if leaflet is not None:
        assert_safe_html(leaflet)
