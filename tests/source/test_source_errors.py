"""Every mistake a writer can make in a source, reported as ``path:line: error: message``.

Each case is the minimal leaflet (``conftest.MINIMAL``) with exactly one mistake,
built with the real command. The test asserts the complete list of diagnostics,
so a case that reports the right line but also a spurious second error fails.
An invalid source is never rendered, so ``--layout epub`` only matters when a
case wrongly passes. Line numbers refer to MINIMAL as laid out in
``test_minimal_has_the_lines_these_cases_count_on``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import Result

from conftest import MINIMAL, TmpProject

SOURCE = "source/en/broken.md"
FRONT, BODY = MINIMAL.split("---\n")[1:3]
SOURCES_BLOCK = "sources:\n  - title: Test source\n    url: https://example.org/cramps\n"
LAST_LINE = "A warm bath can help the muscle relax."  # line 38, the body of item 'warmth'
#: A whole 1 x 1 PNG: loading a source checks that an image decodes, not just its name.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
                    "0000000a49444154789c636000000002000148afa4710000000049454e44ae426082")


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    """``text`` with ``old``, which must occur exactly once, replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def append(extra: str) -> str:
    """MINIMAL with ``extra`` added as new paragraphs after line 38, starting at line 40."""
    return edit(LAST_LINE, f"{LAST_LINE}\n\n{extra}")


def err(line: int | None, message: str, path: str = SOURCE) -> str:
    return f"{path}:{line}: error: {message}" if line else f"{path}: error: {message}"


def build(project: TmpProject, *args: str) -> Result:
    result = project.run("build", "--layout", "epub", *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def assert_fails_with(result: Result, project: TmpProject, lang: str, leaflet_id: str,
                      expected: list[str]) -> None:
    assert result.stderr.splitlines() == expected
    assert result.exit_code == 1
    output = project.root / "build" / lang / leaflet_id
    assert not output.exists() or not any(output.iterdir())


@pytest.fixture
def here(project: TmpProject, monkeypatch: pytest.MonkeyPatch) -> TmpProject:
    """The project as the working folder, so paths print as ``source/en/...``."""
    monkeypatch.chdir(project.root)
    return project


def test_minimal_has_the_lines_these_cases_count_on() -> None:
    lines = MINIMAL.split("\n")
    expected = {1: "---", 2: "title: Leg cramps", 3: "summary:", 4: "version:", 5: "reviewed:",
                6: "next_review:", 7: "sources:", 8: "  - title:", 9: "    url:",
                10: "authors:", 11: "  - Test Author", 12: "keywords:", 14: "---",
                15: "Leg cramps are", 17: "## Causes {#causes}", 19: "### Tired muscles",
                21: "Muscles that", 23: "### Dehydration", 27: "## Treatment {#treatment}",
                33: "- Hold", 34: "- Breathe", 36: "### Warmth {#warmth}", 38: LAST_LINE}
    assert {n: lines[n - 1][: len(start)] for n, start in expected.items()} == expected


# --- file and folder names ---------------------------------------------------------------

NAME_CASES = [
    ("source/en/Bad_Name.md", "en", "Bad_Name",
     "file name 'Bad_Name.md' is not a leaflet id: use lowercase letters, digits and single "
     "hyphens, like chronic-muscle-spasms.md"),
    ("source/en/leg--cramps.md", "en", "leg--cramps",
     "file name 'leg--cramps.md' is not a leaflet id: use lowercase letters, digits and single "
     "hyphens, like chronic-muscle-spasms.md"),
    ("source/english/cramps.md", "english", "cramps",
     "folder 'english' is not a language tag like en, es, ar or zh-Hans"),
    ("source/zh-hans/cramps.md", "zh-hans", "cramps",
     "folder 'zh-hans' is not a language tag like en, es, ar or zh-Hans"),
]


@pytest.mark.parametrize(("relative", "lang", "leaflet_id", "message"), NAME_CASES,
                         ids=[case[0] for case in NAME_CASES])
def test_bad_file_or_folder_name(here: TmpProject, relative: str, lang: str, leaflet_id: str,
                                 message: str) -> None:
    here.write(relative, MINIMAL)
    assert_fails_with(build(here), here, lang, leaflet_id, [err(None, message, relative)])


@pytest.mark.parametrize("relative", ["source/zh-Hans/cramps.md", "source/es-419/cramps.md",
                                      "source/ar/leg-cramps-2.md"])
def test_good_names_are_accepted(here: TmpProject, relative: str) -> None:
    here.write(relative, MINIMAL.replace("keywords:", f"lang: {relative.split('/')[1]}\nkeywords:"))
    result = build(here, "--layout", "nope")  # loads and validates every source, renders nothing
    assert result.stderr.splitlines() == [
        err(None, "no buildable layout 'nope' (available: a4, booklet-a5, epub, large-print, "
                  "letter, trifold-a4, trifold-letter)",
            "layouts/nope")]


# --- front matter ------------------------------------------------------------------------

FRONT_MATTER_CASES: list[tuple[str, str, list[tuple[int, str]]]] = [
    ("no-opening-fence", MINIMAL.removeprefix("---\n"),
     [(1, "missing front matter: the file must start with a line '---'")]),
    ("empty-file", "", [(1, "missing front matter: the file must start with a line '---'")]),
    ("not-closed", edit("  - cramp\n---\n", "  - cramp\n"),
     [(1, "front matter is not closed: add a line '---' after it")]),
    ("yaml-colon-in-value", edit("summary: What", "summary: Note: what"),
     [(3, "front matter is not valid YAML: mapping values are not allowed here")]),
    ("yaml-unclosed-quote", edit('version: "2.1"', 'version: "2.1'),
     [(13, "front matter is not valid YAML: found unexpected end of stream "
           "(while scanning a quoted scalar that starts on line 4)")]),
    ("yaml-tab", edit("reviewed: 2026-03-01", "reviewed: 2026-03-01\n\tnote: x"),
     [(6, "front matter is not valid YAML: found character '\\t' that cannot start any "
          "token")]),
    ("yaml-impossible-date", edit("reviewed: 2026-03-01", "reviewed: 2026-02-30"),
     [(5, "front matter is not valid YAML: cannot read '2026-02-30' "
          "(day is out of range for month)")]),
    ("not-a-mapping", f"---\n- title: Leg cramps\n---\n{BODY}",
     [(2, "front matter must be a set of 'key: value' lines")]),
    ("unknown-key-suggestion", edit("title: Leg", "titel: Leg"),
     [(1, "missing required key 'title'"),
      (2, "unknown key 'titel' (did you mean 'title'?); known keys: title, summary, version, "
          "reviewed, next_review, sources, authors, keywords, lang, layouts, translation_of, "
          "original_version, status, owner, approved_by, approved_on")]),
    ("unknown-key", edit("keywords:", "colour: blue\nkeywords:"),
     [(12, "unknown key 'colour'; known keys: title, summary, version, reviewed, next_review, "
           "sources, authors, keywords, lang, layouts, translation_of, original_version, "
           "status, owner, approved_by, approved_on")]),
    ("duplicate-key", edit("keywords:", "title: Cramps\nkeywords:"),
     [(12, "duplicate key 'title'")]),
    *[(f"missing-{key}", edit(line, ""), [(1, f"missing required key '{key}'")])
      for key, line in [("title", "title: Leg cramps\n"),
                        ("summary", "summary: What brings on leg cramps and what helps.\n"),
                        ("version", 'version: "2.1"\n'),
                        ("reviewed", "reviewed: 2026-03-01\n"),
                        ("next_review", "next_review: 2036-03-01\n"),
                        ("sources", SOURCES_BLOCK)]],
    ("title-list", edit("title: Leg cramps", "title: [Leg, cramps]"),
     [(2, "'title' must be non-empty text")]),
    ("title-empty", edit("title: Leg cramps", "title:"),
     [(2, "'title' must be non-empty text")]),
    ("version-number", edit('version: "2.1"', "version: 1.0"),
     [(4, "'version' must be text: write version: \"1.0\"")]),
    ("reviewed-words", edit("reviewed: 2026-03-01", "reviewed: March 2026"),
     [(5, "'reviewed' must be a date written YYYY-MM-DD, not 'March 2026'")]),
    ("reviewed-compact-date", edit("reviewed: 2026-03-01", "reviewed: '20260301'"),
     [(5, "'reviewed' must be a date written YYYY-MM-DD, not '20260301'")]),
    ("reviewed-week-date", edit("reviewed: 2026-03-01", "reviewed: 2026-W09-7"),
     [(5, "'reviewed' must be a date written YYYY-MM-DD, not '2026-W09-7'")]),
    ("reviewed-with-time", edit("reviewed: 2026-03-01", "reviewed: 2026-03-01T10:00:00"),
     [(5, "'reviewed' must be a date written YYYY-MM-DD, not '2026-03-01T10:00:00'")]),
    ("next-review-same-day", edit("next_review: 2036-03-01", "next_review: 2026-03-01"),
     [(6, "'next_review' (2026-03-01) must be after 'reviewed' (2026-03-01)")]),
    ("next-review-before", edit("next_review: 2036-03-01", "next_review: 2025-09-01"),
     [(6, "'next_review' (2025-09-01) must be after 'reviewed' (2026-03-01)")]),
    ("sources-empty", edit(SOURCES_BLOCK, "sources: []\n"),
     [(7, "'sources' must be a list with at least one source")]),
    ("sources-text", edit(SOURCES_BLOCK, "sources: NHS leaflet\n"),
     [(7, "'sources' must be a list with at least one source")]),
    ("source-unknown-key", edit("    url:", "    urls:"),
     [(9, "unknown key 'urls' in a source (did you mean 'url'?)")]),
    ("source-ftp-url", edit("https://example.org/cramps", "ftp://example.org/cramps"),
     [(9, "a source's 'url' must be an http(s) address, not 'ftp://example.org/cramps'")]),
    ("source-without-title", edit("  - title: Test source\n    url:", "  - url:"),
     [(8, "a source needs a 'title'")]),
    ("source-number", edit("  - title: Test source\n    url: https://example.org/cramps",
                           "  - 42"),
     [(8, "a source must be text or {title: ..., url: ...}")]),
    ("authors-text", edit("authors:\n  - Test Author", "authors: Test Author"),
     [(10, "'authors' must be a list of non-empty text entries")]),
    ("authors-entry-number", edit("  - Test Author", "  - Test Author\n  - 42"),
     [(12, "'authors' must be a list of non-empty text entries")]),
    ("keywords-text", edit("keywords:\n  - cramp", "keywords: cramp"),
     [(12, "'keywords' must be a list of non-empty text entries")]),
    ("summary-two-sentences", edit("what helps.", "what helps. It is short."),
     [(3, "'summary' must be one sentence")]),
    ("alias-reported-where-used",
     edit("keywords:\n  - cramp", "keywords: *s",
          edit("summary: What", "summary: &s What")),
     [(12, "'keywords' must be a list of non-empty text entries")]),
    ("lang-not-folder", edit("keywords:", "lang: es\nkeywords:"),
     [(12, "'lang' is 'es' but the file is in source/en/")]),
]

# --- body --------------------------------------------------------------------------------

MISSING = "image 'img/missing.png' not found (looked for source/en/img/missing.png)"
BODY_CASES: list[tuple[str, str, list[tuple[int, str]]]] = [
    ("no-overview", edit("Leg cramps are sudden, painful tightening of a muscle.\n", ""),
     [(15, "the overview is missing: write a few sentences before the first '##' heading")]),
    ("h1-heading", edit("Leg cramps are sudden", "# Leg cramps\n\nLeg cramps are sudden"),
     [(15, "a '#' heading is not allowed in the body: the title comes from the front matter; "
           "start sections with '##'")]),
    ("setext-h1-heading", append("Warmth\n======"),
     [(40, "a '#' heading is not allowed in the body: the title comes from the front matter; "
           "start sections with '##'")]),
    ("no-causes", edit("## Causes {#causes}", "## Reasons {#reasons}"),
     [(15, "the 'causes' section is missing: add a heading '## ... {#causes}' with one '###' "
           "heading per cause")]),
    ("no-treatment", edit("## Treatment {#treatment}", "## Help {#help}"),
     [(15, "the 'treatment' section is missing: add a heading '## ... {#treatment}' with one "
           "'###' heading per treatment")]),
    ("causes-without-items", MINIMAL.split("### Tired")[0] + "Many things.\n\n## Treatment"
     + MINIMAL.split("## Treatment")[1],
     [(17, "section 'causes' has no items: give each cause its own '###' heading")]),
    ("item-without-text", edit("Muscles that worked hard can cramp later.\n", ""),
     [(19, "cause 'tired' has no text: write at least one sentence under its heading")]),
    ("duplicate-explicit-id", edit("{#warmth}", "{#tired}"),
     [(36, "duplicate id 'tired' (already used at line 19); give this heading its own {#id}")]),
    ("duplicate-slug", edit("### Warmth {#warmth}", "### Dehydration"),
     [(36, "duplicate id 'dehydration' (already used at line 23); give this heading its own "
           "{#id}")]),
    ("item-id-same-as-section", edit("{#warmth}", "{#causes}"),
     [(36, "duplicate id 'causes' (already used at line 17); give this heading its own "
           "{#id}")]),
    ("id-with-dots", edit("{#warmth}", "{#../etc}"),
     [(36, "invalid id '../etc': use lowercase letters, digits and single hyphens, like "
           "{#stretching}")]),
    ("id-empty", edit("{#warmth}", "{#}"),
     [(36, "invalid id '': use lowercase letters, digits and single hyphens, like "
           "{#stretching}")]),
    ("id-with-capital", edit("{#warmth}", "{#Bad}"),
     [(36, "invalid id 'Bad': use lowercase letters, digits and single hyphens, like "
           "{#stretching}")]),
    ("h3-before-h2", edit("muscle.\n\n## Causes", "muscle.\n\n### Early {#early}\n\nText.\n\n"
                                                  "## Causes"),
     [(17, "a '###' heading must come after a '##' section heading")]),
    ("arabic-heading-without-id", edit("### Warmth {#warmth}", "### دفء"),
     [(36, "cannot make an id from 'دفء': add one at the end of the heading, like {#my-id}")]),
    ("chinese-heading-without-id", edit("### Warmth {#warmth}", "### 温暖"),
     [(36, "cannot make an id from '温暖': add one at the end of the heading, like {#my-id}")]),
    ("html-block", append("<script>alert(1)</script>"),
     [(40, "raw HTML is not allowed ('<script>alert(1)</script>'); write Markdown instead")]),
    ("html-comment", append("<!-- note to self -->"),
     [(40, "raw HTML is not allowed ('<!-- note to self -->'); write Markdown instead")]),
    ("html-inline", edit("can help", "can <img src=file:///etc/passwd> help"),
     [(38, "raw HTML is not allowed ('<img src=file:///etc/passwd>'); write Markdown "
           "instead")]),
    ("html-inline-2nd-line", edit("can help the", "can help\nthe <img src=file:///etc/passwd>"),
     [(39, "raw HTML is not allowed ('<img src=file:///etc/passwd>'); write Markdown "
           "instead")]),
    ("html-inline-after-multiline-code", append("Run `warm\nbath` and\nthen <img src=x>."),
     [(42, "raw HTML is not allowed ('<img src=x>'); write Markdown instead")]),
    ("html-inline-after-multiline-tag", append("A <span\nclass=x>warm</span> bath."),
     [(40, "raw HTML is not allowed ('<span'); write Markdown instead"),
      (41, "raw HTML is not allowed ('</span>'); write Markdown instead")]),
    ("html-inline-list-2nd-line",
     edit("- Breathe slowly while", "- Breathe\n  <b>slowly</b> while"),
     [(35, "raw HTML is not allowed ('<b>'); write Markdown instead"),
      (35, "raw HTML is not allowed ('</b>'); write Markdown instead")]),
    ("image-without-alt", append("![](bath.png)"),
     [(40, "image 'bath.png' needs alt text: write ![what it shows](bath.png)")]),
    ("image-http", append("![A bath](http://example.org/bath.png)"),
     [(40, "image 'http://example.org/bath.png' must be a file inside the project, given as a "
           "relative path")]),
    ("image-absolute", append("![Secrets](/etc/passwd)"),
     [(40, "image '/etc/passwd' must be a file inside the project, given as a relative path")]),
    ("image-outside", append("![Secrets](../../../etc/passwd)"),
     [(40, "image '../../../etc/passwd' is outside the project")]),
    ("image-missing", append("![A bath](img/missing.png)"), [(40, MISSING)]),
    ("image-missing-2nd-line", append("A bath\nlooks like ![a bath](img/missing.png)."),
     [(41, MISSING)]),
    ("image-wrong-type", append("![Notes](notes.txt)"),
     [(40, "image 'notes.txt' is not a supported type (.gif, .jpeg, .jpg, .png, .svg, "
           ".webp)")]),
]


@pytest.mark.parametrize(("text", "expected"),
                         [pytest.param(text, expected, id=name)
                          for name, text, expected in FRONT_MATTER_CASES + BODY_CASES])
def test_mistake_is_reported_at_its_line(here: TmpProject, text: str,
                                         expected: list[tuple[int, str]]) -> None:
    here.write("source/en/bath.png", PNG)
    here.write("source/en/notes.txt", "not an image")
    here.write(SOURCE, text)
    assert_fails_with(build(here), here, "en", "broken", [err(*pair) for pair in expected])


def test_image_through_symlink_out_of_the_project(
        here: TmpProject, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(PNG)
    (here.root / "source/en/img").mkdir(parents=True)
    os.symlink(outside, here.root / "source/en/img/bath.png")
    here.write(SOURCE, append("![A bath](img/bath.png)"))
    assert_fails_with(build(here), here, "en", "broken",
                      [err(40, "image 'img/bath.png' is outside the project")])


# --- encoding ----------------------------------------------------------------------------

BYTES = MINIMAL.encode()
ENCODING_CASES: list[tuple[str, bytes, list[str]]] = [
    ("latin-1", BYTES.replace(b"### Dehydration", b"### Dehydr\xe9tion"),
     [err(23, "not valid UTF-8 (byte 0xe9 at column 11); save the file as UTF-8")]),
    ("latin-1-after-accent", BYTES.replace(b"### Dehydration", "### Dé".encode() + b"\xe9"),
     [err(23, "not valid UTF-8 (byte 0xe9 at column 7); save the file as UTF-8")]),
    ("nul-byte", BYTES.replace(b"Dehydration", b"Dehydr\0tion"),
     [err(23, "this is a binary file, not a text source")]),
    ("over-1-mb", BYTES + b"\n" + b"x" * (1_000_000 - len(BYTES)),
     [err(None, "file is 1,000,001 bytes; a leaflet source may be at most 1,000,000 bytes")]),
    ("crlf-keeps-lines", edit("can help the", "can help\nthe <b>").replace("\n", "\r\n")
     .encode(), [err(39, "raw HTML is not allowed ('<b>'); write Markdown instead")]),
    ("bom-keeps-lines", b"\xef\xbb\xbf" + edit("{#warmth}", "{#Bad}").encode(),
     [err(36, "invalid id 'Bad': use lowercase letters, digits and single hyphens, like "
              "{#stretching}")]),
]


@pytest.mark.parametrize(("data", "expected"),
                         [pytest.param(data, expected, id=name)
                          for name, data, expected in ENCODING_CASES])
def test_encoding_mistake(here: TmpProject, data: bytes, expected: list[str]) -> None:
    here.write(SOURCE, data)
    assert_fails_with(build(here), here, "en", "broken", expected)


@pytest.mark.parametrize("summary", ["Cramps, e.g. after a run, and what helps.",
                                     "What version 2.1 of this leaflet says."])
def test_summary_with_abbreviation_or_number_is_one_sentence(here: TmpProject,
                                                             summary: str) -> None:
    here.write("source/en/minimal.md",
               edit("What brings on leg cramps and what helps.", summary))
    result = build(here)
    assert result.exit_code == 0, result.output


def test_bom_and_crlf_are_accepted(here: TmpProject) -> None:
    here.write("source/en/leg-cramps.md", b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    result = build(here)
    assert (result.exit_code, result.stderr) == (0, "")
    assert here.output("en", "leg-cramps", "leg-cramps.epub").is_file()


# --- all at once -------------------------------------------------------------------------

SEVERAL = (edit("title: Leg", "titel: Leg")
           .replace("{#warmth}", "{#Bad}")
           .replace("A warm bath can help", "A <b>warm</b> bath can help"))


def test_every_mistake_is_reported_and_other_leaflets_still_build(minimal: TmpProject,
                                                                  here: TmpProject) -> None:
    here.write(SOURCE, SEVERAL)
    result = build(here)
    assert_fails_with(result, here, "en", "broken", [
        err(1, "missing required key 'title'"),
        err(2, "unknown key 'titel' (did you mean 'title'?); known keys: title, summary, "
               "version, reviewed, next_review, sources, authors, keywords, lang, layouts, "
               "translation_of, original_version, status, owner, approved_by, approved_on"),
        err(36, "invalid id 'Bad': use lowercase letters, digits and single hyphens, like "
                "{#stretching}"),
        err(38, "raw HTML is not allowed ('<b>'); write Markdown instead"),
        err(38, "raw HTML is not allowed ('</b>'); write Markdown instead"),
    ])
    assert here.output("en", "minimal", "minimal.epub").is_file()
    assert "1 built" in result.stdout


def test_real_command_reports_without_traceback(project: TmpProject) -> None:
    """Mistakes that once crashed the loader, run as a user runs careleaf."""
    crashed = {
        "date": edit("reviewed: 2026-03-01", "reviewed: 2026-13-01"),
        "datetime": edit("reviewed: 2026-03-01", "reviewed: 2026-03-01 10:00:00"),
        "tag": edit("title: Leg cramps", "title: !!int cramps"),
        "nested": edit("title: Leg cramps", "title: " + "[" * 5000 + "]" * 5000),
    }
    for name, text in crashed.items():
        project.write(f"source/en/{name}.md", text)
    done = subprocess.run([sys.executable, "-m", "careleaf", "build", "-C", str(project.root),
                           "--layout", "epub"], cwd=project.root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        err(5, "front matter is not valid YAML: cannot read '2026-13-01' "
               "(month must be in 1..12)", "source/en/date.md"),
        err(5, "'reviewed' must be a date written YYYY-MM-DD, not '2026-03-01 10:00:00'",
            "source/en/datetime.md"),
        err(2, "front matter is nested too deeply", "source/en/nested.md"),
        err(2, "front matter is not valid YAML: cannot read 'cramps' "
               "(invalid literal for int() with base 10: 'cramps')", "source/en/tag.md"),
    ]
    assert not (project.root / "build" / "en").exists()


def test_paths_outside_the_working_folder_print_absolute(project: TmpProject,
                                                         tmp_path_factory: pytest.TempPathFactory,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    path = project.write(SOURCE, edit("{#warmth}", "{#Bad}"))
    result = build(project)
    assert result.stderr.startswith(f"{path.resolve()}:36: error: invalid id 'Bad'")
