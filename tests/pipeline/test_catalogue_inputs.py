"""A leaflet's outputs are made from its catalogue's render shape, not its bytes.

About half of a catalogue's messages are the download site's alone: no PDF or EPUB
shows them. So an output records what it can show of its language's catalogue and
template (``layouts/messages/es.po#render``: whether the catalogue is complete, and
every message not the site's alone), and a translator's fix to a word of the site
rebuilds none of the language's outputs; a fix to a word they show rebuilds them all,
and a catalogue made incomplete fails the language as before.

Real builds of a copy of the repository's project (the English original and its
Spanish and Arabic translations), in the A4 and EPUB layouts, without proofs and in
this process, so each takes a few seconds at most.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from careleaf.check.readback import page_texts
from careleaf.design.brand import load_brand
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.i18n.render_shape import render_shapes
from careleaf.pipeline.build import BuildResult, build
from careleaf.pipeline.make import record_catalogues
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import (
    ShapeRecord,
    built_from,
    parse,
    render_input,
    shaped,
    to_json,
)
from careleaf.project import Project
from careleaf.site.update import build_site
from conftest import REPO, TmpProject, copy_repository

LAYOUTS = ["a4", "epub"]
NAME = "chronic-muscle-spasms"
ES_PO, POT = "layouts/messages/es.po", "layouts/messages/careleaf.pot"
RENDER = f"{ES_PO}#render"
SPANISH = [f"es/{NAME}/{NAME}-a4.pdf", f"es/{NAME}/{NAME}.epub"]
OTHERS = sorted(f"{lang}/{NAME}/{name}" for lang in ("ar", "en")
                for name in (f"{NAME}-a4.pdf", f"{NAME}.epub"))
EVERY = sorted(SPANISH + OTHERS)
#: A word only the site shows (its references name layouts/site/ alone): the heading of
#: the downloads on a leaflet's page.
SITE_WORD = ('msgstr "Descargas"', 'msgstr "Archivos"')
#: A word the PDF shows (layouts/base/leaflet.html): before the leaflet's sources.
PDF_WORD = ('msgstr "Basado en:"', 'msgstr "Fuentes:"')
#: The message of ``PDF_WORD`` made fuzzy: a translator's guess, not to be printed.
FUZZY = ('msgid "Based on:"', '#, fuzzy\nmsgid "Based on:"')
CHECK = ("check", "--layout", "a4", "--layout", "epub", "--today", "2026-12-06")
STALE = "run 'careleaf build' to update it"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's project; the working folder, so paths print relative."""
    monkeypatch.chdir(tmp_path)
    return copy_repository(tmp_path)


def run(root: Path) -> tuple[BuildResult, Report]:
    report = Report()
    result = build(Project(root), report, layout_names=LAYOUTS, proofs=False, jobs=1)
    return result, report


def names(root: Path, outputs: list[Path]) -> list[str]:
    return sorted(path.relative_to(root / "build").as_posix() for path in outputs)


def stamps(root: Path, outputs: list[str] = EVERY) -> dict[str, tuple[int, int]]:
    """Each output's inode and time, which any write changes."""
    return {name: (info.st_ino, info.st_mtime_ns)
            for name in outputs for info in [os.stat(root / "build" / name)]}


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def said(report: Report) -> list[str]:
    return [f"{d.location}: {d.severity}: {d.message}" for d in report]


def built_first(root: Path) -> dict[str, tuple[int, int]]:
    result, report = run(root)
    assert (names(root, result.built), report.errors) == (EVERY, [])
    return stamps(root)


def assert_nothing_to_do(root: Path) -> None:
    """A build that makes, loads and records nothing: every output fresh, the manifest
    not even written again."""
    manifest = root / "build" / ".careleaf-manifest.json"
    before = os.stat(manifest)
    result, report = run(root)
    assert (result.built, result.failed, names(root, result.fresh), said(report)) == (
        [], [], EVERY, [])
    after = os.stat(manifest)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def pdf_text(root: Path) -> str:
    pages = page_texts(root / "build" / SPANISH[0], rtl=False)
    return " ".join(" ".join(pages).split())


def stale_lines(project: TmpProject) -> list[str]:
    return sorted(line for line in project.run(*CHECK).stderr.splitlines() if STALE in line)


# --- builds ---------------------------------------------------------------------------------

def test_a_site_only_message_rebuilds_no_output(root: Path) -> None:
    before = built_first(root)
    edit(root, ES_PO, *SITE_WORD)
    result, report = run(root)
    assert (result.built, result.failed, said(report)) == ([], [], [])
    assert names(root, result.fresh) == EVERY
    assert stamps(root) == before  # not written again, not even with the same bytes
    assert_nothing_to_do(root)
    # What each Spanish output records of the catalogue: its render shape, not its bytes.
    inputs = json.loads((root / "build/.careleaf-manifest.json").read_text(encoding="utf-8")
                        )["outputs"][SPANISH[0]]["inputs"]
    assert RENDER in inputs and ES_PO not in inputs and POT not in inputs
    assert inputs[RENDER] == Manifest(Project(root)).hash_input(RENDER)


def test_the_site_shows_a_site_only_messages_new_words(root: Path) -> None:
    built_first(root)
    page = root / "build" / "preview" / "es" / NAME / "index.html"
    preview(root)
    assert "Descargas" in page.read_text(encoding="utf-8")
    edit(root, ES_PO, *SITE_WORD)
    assert run(root)[0].built == []
    preview(root)
    text = page.read_text(encoding="utf-8")
    assert "Archivos" in text and "Descargas" not in text


def preview(root: Path) -> None:
    """Serve's preview of the site, offering the A4 and EPUB files, made without error."""
    project, report = Project(root), Report()
    brand = load_brand(project, "default", report)
    assert brand is not None
    layouts = load_layouts(project, report)
    assert build_site(project, report, brand, [layouts[name] for name in LAYOUTS]) is not None
    assert not report.errors, said(report)


def test_a_message_the_pdf_shows_rebuilds_that_languages_outputs(root: Path) -> None:
    before = built_first(root)
    assert "Basado en: Chronic muscle spasms" in pdf_text(root)
    edit(root, ES_PO, *PDF_WORD)
    result, report = run(root)
    assert (names(root, result.built), said(report)) == (SPANISH, [])
    assert names(root, result.fresh) == OTHERS
    assert stamps(root, OTHERS) == {name: before[name] for name in OTHERS}
    text = pdf_text(root)
    assert "Fuentes: Chronic muscle spasms" in text and "Basado en" not in text
    assert_nothing_to_do(root)


@pytest.mark.parametrize("broken", [FUZZY, (PDF_WORD[0], 'msgstr ""'),
                                    (SITE_WORD[0], 'msgstr ""')],
                         ids=["fuzzy", "empty", "empty-on-the-site-only"])
def test_an_incomplete_catalogue_fails_its_language_till_it_is_put_back(
        root: Path, broken: tuple[str, str]) -> None:
    """Even a message only the site shows: a language whose catalogue lacks one is not
    built at all (one error, not English words on a Spanish page)."""
    before = built_first(root)
    text = (root / ES_PO).read_text(encoding="utf-8")
    edit(root, ES_PO, *broken)
    msgid = "Based on:" if broken[0] != SITE_WORD[0] else "Downloads"
    error = (f'{ES_PO}: error: 1 message has no Spanish translation: "{msgid}"; add them '
             f"(template: {POT})")
    for _ in range(2):  # and again: a language that cannot be built is never fresh
        result, report = run(root)
        assert (names(root, result.failed), said(report)) == (SPANISH, [error])
        assert (result.built, names(root, result.fresh)) == ([], OTHERS)
        assert stamps(root) == before  # the old outputs stay as they were
    (root / ES_PO).write_text(text, encoding="utf-8")  # put back: the records of before hold
    result, report = run(root)
    assert (result.built, names(root, result.fresh), said(report)) == ([], EVERY, [])
    assert stamps(root) == before
    assert_nothing_to_do(root)


def test_a_build_with_nothing_to_do_reads_no_catalogue(root: Path) -> None:
    """Its outputs' render shapes are known from the manifest: Babel is never loaded."""
    (root / "careleaf.toml").write_text('layouts = ["a4", "epub"]\n', encoding="utf-8")
    built_first(root)
    edit(root, ES_PO, *SITE_WORD)
    assert run(root)[0].built == []
    code = ("import sys\nfrom careleaf.cli import main\n"
            f"try:\n    main(['build', '-C', {str(root)!r}, '--no-proofs'])\n"
            "except SystemExit as exc:\n    print('exit', exc.code)\n"
            "print('babel' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "0 built, 6 up to date, 0 failed" in out
    assert out.splitlines()[-2:] == ["exit 0", "False"], out


# --- the check ------------------------------------------------------------------------------

def test_check_finds_nothing_stale_after_a_site_only_edit(root: Path) -> None:
    built_first(root)
    project = TmpProject(root)
    edit(root, ES_PO, *SITE_WORD)
    # Not built since: the check works out the catalogue's render shape, as a build does.
    assert stale_lines(project) == []
    assert run(root)[0].built == []
    assert stale_lines(project) == []
    edit(root, ES_PO, *PDF_WORD)
    assert stale_lines(project) == [
        f"build/{name}: warning: was built before a change to the interface words of "
        f"{ES_PO}; {STALE}" for name in SPANISH]


# --- the render shape and its record --------------------------------------------------------

def shape(root: Path, lang: str = "es") -> str:
    project = Project(root)
    return render_shapes(project, [lang])[project.layouts_dir / "messages" / f"{lang}.po"].value


def test_the_render_shape_is_what_outputs_can_show_of_the_catalogue(root: Path) -> None:
    po = (root / ES_PO).read_text(encoding="utf-8")
    first = shape(root)

    def with_po(text: str) -> str:
        (root / ES_PO).write_text(text, encoding="utf-8")
        return shape(root)

    assert with_po(po.replace(*SITE_WORD)) == first
    assert with_po(po.replace("Language-Team:", "Language-Team: Equipo")) == first
    # Shown by a PDF, in it by context, by plural form (not in the template: some layout
    # may use it), or by a message shared with the site.
    plural = '\nmsgid "{n} page"\nmsgid_plural "{n} pages"\nmsgstr[0] "{n} página"\n' \
             'msgstr[1] "{n} páginas"\n'
    context = '\nmsgctxt "heading"\nmsgid "Based on:"\nmsgstr "Fuentes"\n'
    shown = [po.replace(*PDF_WORD), po + plural, po + plural.replace("páginas", "hojas"),
             po + context, po.replace('msgid "Phone {phone}"\nmsgstr "Teléfono {phone}"',
                                      'msgid "Phone {phone}"\nmsgstr "Tel. {phone}"')]
    assert len({first, *(with_po(text) for text in shown)}) == 1 + len(shown)
    # Incomplete, however: one shape, whichever message is missing.
    unbuildable = {with_po(po.replace(*FUZZY)), with_po(po.replace(SITE_WORD[0], 'msgstr ""'))}
    assert len(unbuildable) == 1 and first not in unbuildable
    assert with_po(po) == first


def test_a_message_the_template_places_nowhere_or_on_a_render_path_is_shown(root: Path
                                                                            ) -> None:
    first = shape(root)
    edit(root, ES_PO, *SITE_WORD)
    assert shape(root) == first
    edit(root, POT, '#: layouts/site/leaflet.html\nmsgid "Downloads"', 'msgid "Downloads"')
    no_reference = shape(root)
    assert no_reference != first
    # A layout that extends the site puts the site's templates on the render path.
    (root / ES_PO).write_text((REPO / ES_PO).read_text(encoding="utf-8"), encoding="utf-8")
    (root / POT).write_text((REPO / POT).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "layouts" / "web").mkdir()
    (root / "layouts" / "web" / "layout.yml").write_text(
        "name: web\ndescription: The site's page as an ebook.\nformat: epub\nextends: site\n"
        'output: "{id}-web.epub"\n', encoding="utf-8")
    assert "web" in load_layouts(Project(root), Report())
    extended = shape(root)
    edit(root, ES_PO, *SITE_WORD)
    assert shape(root) != extended


def test_a_languages_variant_shares_its_catalogues_shape(root: Path) -> None:
    project = Project(root)
    shapes = render_shapes(project, ["es", "es-419", "en", "ar"])
    assert sorted(path.name for path in shapes) == ["ar.po", "es.po"]
    assert set(shapes[root / ES_PO].files) == {root / ES_PO, root / POT}
    assert render_shapes(project, ["en", "en-GB"]) == {}


def test_a_render_shape_is_known_while_its_files_are_the_bytes_it_was_of(root: Path) -> None:
    (root / "build").mkdir()
    manifest = Manifest(Project(root))
    assert manifest.hash_input(RENDER) is None  # never recorded
    record_catalogues(manifest, {"es", "en"})
    assert set(manifest.shapes) == {RENDER}
    assert manifest.hash_input(RENDER) == shape(root)
    assert manifest.hash_inputs([render_input(root / ES_PO)]) == {RENDER: shape(root)}
    manifest.save()
    assert Manifest(Project(root)).hash_input(RENDER) == shape(root)
    with (root / POT).open("a", encoding="utf-8") as template:  # the template's bytes count
        template.write("\n")
    again = Manifest(Project(root))
    assert again.hash_input(RENDER) is None
    record_catalogues(again, {"es"})
    assert again.hash_input(RENDER) == shape(root)
    assert RENDER not in again.file_hashes  # never kept: a shape recorded later is seen


def test_the_shapes_are_kept_in_their_own_section() -> None:
    record = ShapeRecord({ES_PO: "a", POT: "b"}, "0123456789abcdef")
    data = json.loads(json.dumps(to_json({}, {}, {}, {}, {RENDER: record})))
    assert parse(data)[4] == {RENDER: record}
    for bad in ({"inputs": {}, "value": "x"}, {"inputs": {ES_PO: "a"}, "value": ""},
                {"inputs": {ES_PO: 1}, "value": "x"}, {"value": "x"}, "x"):
        assert parse({**data, "shapes": {RENDER: bad}})[4] == {}
    del data["shapes"]  # a manifest from before the section: no shape known
    assert parse(data)[4] == {}


def test_a_changed_catalogue_is_said_in_writers_words(root: Path) -> None:
    assert shaped(RENDER) == (ES_PO, "#render")
    assert shaped(ES_PO) is None
    words = built_from(Project(root), ["source/es/x.md", "source/en/x.md#shape", RENDER])
    assert words == ("from an older source/es/x.md and before a change to the sections or "
                     f"version of source/en/x.md and before a change to the interface words "
                     f"of {ES_PO}")
