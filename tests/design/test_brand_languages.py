"""The brand's own sentences in the leaflet's language (``Brand.in_language``).

The repository's leaflets are built as a user builds them, and their Spanish and Arabic
PDFs (A4 and A4 tri-fold) and EPUBs read back: the urgent-help line and the feedback
sentence are there in the leaflet's language, and no English sentence of the brand is.
A brand that lacks a leaflet's language is an error at the brand file naming what it
lacks and the leaflets that need it; those leaflets are not built, the others are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from careleaf.check.readback import Readback, read_output, words
from careleaf.design.brand import DEFAULT_LANGUAGE, Brand, load_brand
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.formats.panels import panel_regions
from careleaf.i18n.messages import SOURCE_LANGUAGE
from careleaf.project import Project
from conftest import APPROVAL, APPROVED, FIXTURES, REPO, TmpProject

LEAFLET = "chronic-muscle-spasms"
BRAND = "layouts/brands/default.yml"
EMAIL = "leaflets@riverside-clinic.example.org"
SPANISH = (FIXTURES / "spanish/source/es/calambres.md").read_text(encoding="utf-8")


def repo_brand() -> Brand:
    brand = load_brand(Project(REPO), "default", Report())
    assert brand is not None
    return brand


def brand_line(root: Path, start: str) -> int:
    """The 1-based line of the project's default brand file that starts with ``start``."""
    lines = (root / BRAND).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def holds(back: Readback, text: str) -> bool:
    """Whether ``text``'s words come back from the output one after another."""
    wanted, flat = back.source_words(text), [word for page in back.pages for word in page]
    return any(flat[i:i + len(wanted)] == wanted for i in range(len(flat) - len(wanted) + 1))


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """The repository's leaflets built on A4, the A4 tri-fold and as EPUBs."""
    root = tmp_path_factory.mktemp("repository")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "source", root / "source")
    (root / "careleaf.toml").write_text('layouts = ["a4", "trifold-a4", "epub"]\n',
                                        encoding="utf-8")
    project = TmpProject(root)
    result = project.run("build", "--no-proofs")
    assert result.exit_code == 0, result.output
    return project


def read_back(project: TmpProject, lang: str, layout: str) -> Readback:
    """An output read as the completeness check reads it (a tri-fold panel by panel)."""
    layouts = load_layouts(Project(project.root), Report())
    if layout == "epub":
        return read_output(project.output(lang, LEAFLET, f"{LEAFLET}.epub"), "epub")
    regions = (panel_regions(layouts[layout], "rtl" if lang == "ar" else "ltr")
               if layout.startswith("trifold") else ())
    return read_output(project.output(lang, LEAFLET, f"{LEAFLET}-{layout}.pdf"), "pdf",
                       regions)


@pytest.mark.parametrize("layout", ["a4", "trifold-a4", "epub"])
@pytest.mark.parametrize("lang", ["es", "ar"])
def test_translated_outputs_print_the_brand_in_their_language(repository: TmpProject,
                                                              lang: str, layout: str) -> None:
    brand, back = repo_brand().in_language(lang), read_back(repository, lang, layout)
    assert holds(back, brand.urgent), (brand.urgent, back.pages)
    assert holds(back, brand.feedback), (brand.feedback, back.pages)
    english = repo_brand().in_language("en")
    # Every English word of the brand's sentences that the translation does not share
    # (NHS, the numbers, the e-mail address): none of them may be in the output.
    foreign = set(words(f"{english.urgent} {english.feedback}")) - set(
        words(f"{brand.urgent} {brand.feedback}"))
    assert {"unwell", "emergency", "think"} <= foreign
    found = {word for page in back.pages for word in page} & foreign
    assert not found, f"English brand words in the {lang} {layout}: {sorted(found)}"


def test_the_english_outputs_keep_the_english_sentences(repository: TmpProject) -> None:
    back = read_back(repository, "en", "a4")
    assert holds(back, "If you feel very unwell, call NHS 111. In an emergency, call 999.")
    assert holds(back, f"Tell us what you think of this leaflet: {EMAIL}")


def test_the_feedback_email_is_in_the_feedback_sentence_of_every_language() -> None:
    brand = repo_brand()
    assert brand.feedback_email == EMAIL
    assert set(brand.texts["feedback"]) == {"en", "es", "ar", "fr", "zh-Hans"}
    for lang in brand.texts["feedback"]:
        assert EMAIL in brand.in_language(lang).feedback
    for lang, text in brand.texts["urgent"].items():  # the numbers as they are
        assert re.findall(r"\d+", text) == ["111", "999"], lang


def test_a_language_variant_takes_its_language_s_sentences() -> None:
    brand = repo_brand()
    assert brand.in_language("es-419").urgent == brand.in_language("es").urgent
    assert brand.in_language("en-GB").urgent == brand.urgent  # the loaded brand is English
    assert brand.lang == DEFAULT_LANGUAGE == SOURCE_LANGUAGE


def test_a_brand_missing_a_language_is_an_error_there_and_only_its_leaflets_wait(
        project: TmpProject, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.root)
    project.write("source/en/minimal.md", APPROVED)
    approved = SPANISH.replace("next_review: 2036-11-20\n", f"next_review: 2036-11-20\n{APPROVAL}")
    project.write("source/es/calambres.md", approved)
    project.write("source/es/tirones.md", approved)
    brand = project.root / BRAND
    brand.write_text("".join(line for line in brand.read_text(encoding="utf-8")
                             .splitlines(keepends=True) if not line.startswith("  es: ")),
                     encoding="utf-8")
    result = project.run("build", "--no-proofs")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert [line for line in result.stderr.splitlines() if ": error: " in line] == [
        f"{BRAND}:{brand_line(project.root, 'urgent:')}: error: the brand has no Spanish (es) "
        "text for 'urgent', 'feedback', which source/es/calambres.md and source/es/tirones.md "
        "need: add a line 'es: \"...\"' under each, translated; until then, a leaflet in "
        "Spanish (es) is not built"]
    assert "2 built, 0 up to date, 4 failed" in result.stdout  # English built
    assert project.output("en", "minimal", "minimal-a4.pdf").is_file()
    assert not (project.root / "build/es").exists()

    result = project.run("check", "--today", "2026-12-06")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if "source/es/" in line]
    assert errors[0].startswith(
        "source/es/calambres.md: error: is not built for the brand 'default' "
        f"({BRAND}:{brand_line(project.root, 'urgent:')}): the brand has no Spanish (es) "
        "text for 'urgent', 'feedback', which source/es/calambres.md needs")
    assert not any("has not been built" in line for line in errors)  # not "run build"

    result = project.run("publish", "--today", "2026-12-06")
    assert "Traceback" not in result.output
    assert [line for line in result.stderr.splitlines() if "calambres" in line] == [
        "source/es/calambres.md: error: the brand 'default' has no Spanish (es) text for "
        f"'urgent', 'feedback': add it to {BRAND}:{brand_line(project.root, 'urgent:')}, "
        "then build and check again; not published"]
    assert (project.root / "build/site/en/minimal/index.html").is_file()
    assert not (project.root / "build/site/es").exists()


def test_a_plain_sentence_is_the_english_text_alone(project: TmpProject) -> None:
    text = (project.root / BRAND).read_text(encoding="utf-8")
    urgent = text[text.index("urgent:\n"):text.index("feedback:\n")]
    project.write(BRAND, text.replace(urgent, 'urgent: "In an emergency, call 999."\n'))
    brand = load_brand(Project(project.root), "default", Report())
    assert brand is not None
    assert brand.urgent == "In an emergency, call 999."
    assert brand.missing("en") == [] and brand.missing("es") == ["urgent"]


@pytest.mark.parametrize(("change", "message"), [
    (("llame al 999.", "llame al 990."),
     "'urgent' in 'es' has the numbers 111, 990 where 'en' has 111, 999: every language's "
     "text must keep the numbers as they are"),
    (("este folleto: {feedback_email}", "este folleto"),
     "'feedback' in 'es' has the placeholders none where 'en' has {feedback_email}"),
    (("este folleto: {feedback_email}", "este folleto: leaflets@riverside.example.org"),
     "'feedback' in 'es' writes the e-mail address 'leaflets@riverside.example.org' "
     "itself: give it once, as 'feedback_email: <address>', and write {feedback_email}"),
    (("this leaflet: {feedback_email}", "this leaflet: {email}"),
     "'feedback' in 'en' holds {email}; a brand's sentence may hold {phone}, "
     "{feedback_email}, {website}"),
    (('  es: "Si', '  es_ES: "Si'),
     "'urgent': 'es_ES' is not a language tag like the source folders'"),
    (('feedback_email: "leaflets@', 'feedback_email: "leaflets at '),
     "'feedback_email' must be one e-mail address"),
])
def test_brand_sentence_mistakes_are_errors_at_their_line(
        project: TmpProject, change: tuple[str, str], message: str) -> None:
    text = (project.root / BRAND).read_text(encoding="utf-8")
    assert text.count(change[0]) == 1
    project.write(BRAND, text.replace(*change))
    report = Report()
    assert load_brand(Project(project.root), "default", report) is None
    line = brand_line(project.root, next(
        line for line in (project.root / BRAND).read_text(encoding="utf-8").splitlines()
        if change[1] in line))
    shown = [f"{d.location.line}: {d.message}" for d in report.errors]
    assert any(entry.startswith(f"{line}: {message}") for entry in shown), shown
