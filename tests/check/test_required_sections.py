"""Safety content required by default: the ``see-a-doctor`` section, and headings that
read like a known section but lack its id (``careleaf check``'s required-sections gate).

Each case edits the ``minimal`` leaflet's last section, ``## When to see a doctor
{#see-a-doctor}``, and runs the real command. Line numbers are looked up in the text
written, so the cases do not depend on how long the front matter is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from careleaf.config import load_config
from careleaf.errors import Report
from careleaf.i18n.sections import HEADINGS, known_section, words
from conftest import MINIMAL, REPO, TmpProject

TODAY = "2026-11-25"
SECTION = "## When to see a doctor {#see-a-doctor}"
#: The minimal leaflet without its see-a-doctor section.
WITHOUT = MINIMAL[:MINIMAL.index(SECTION)].rstrip("\n") + "\n"
OPT_OUT = 'layouts = ["a4", "epub"]\nrequired_sections = []\n'
BOX = "so it gets the section's highlighted box"


def check(project: TmpProject, *args: str) -> Result:
    return project.run("check", "--today", TODAY, "--no-reports", *args)


def problems(project: TmpProject, result: Result) -> list[str]:
    """The diagnostics about sources, with the project folder taken off their paths."""
    prefix = f"{project.root}/"
    return [line.replace(prefix, "") for line in result.stderr.splitlines()
            if line.replace(prefix, "").startswith("source/")]


def line_of(text: str, start: str) -> int:
    """The 1-based number of the one line of ``text`` that starts with ``start``."""
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start)]
    return number


def with_heading(heading: str) -> str:
    """The minimal leaflet with ``heading`` in place of its see-a-doctor heading."""
    assert MINIMAL.count(SECTION) == 1
    return MINIMAL.replace(SECTION, heading)


# --- the default ----------------------------------------------------------------------

def test_see_a_doctor_is_required_by_default() -> None:
    report = Report()
    assert load_config(REPO, report).required_sections == ("see-a-doctor",)
    assert list(report) == []


def test_a_leaflet_without_it_is_an_error_at_the_overview(minimal: TmpProject) -> None:
    minimal.write("source/en/minimal.md", WITHOUT)
    result = check(minimal)
    assert result.exit_code == 1
    line = line_of(WITHOUT, "Leg cramps are sudden")
    assert problems(minimal, result) == [
        f"source/en/minimal.md:{line}: error: the 'see-a-doctor' section is required by "
        "default but missing: add a heading '## ... {#see-a-doctor}'"]


def test_the_minimal_leaflet_has_it_and_passes(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    result = minimal.run("check", "--today", TODAY, "--no-reports", "--strict")
    assert result.exit_code == 0, result.stderr


def test_required_sections_opts_out_with_an_empty_list(minimal: TmpProject) -> None:
    minimal.write("source/en/minimal.md", WITHOUT)
    minimal.write("careleaf.toml", OPT_OUT)
    assert minimal.run("build").exit_code == 0
    result = minimal.run("check", "--today", TODAY, "--no-reports", "--strict")
    assert result.exit_code == 0, result.stderr


def test_pyproject_can_opt_out_and_a_clinic_can_require_more(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.careleaf]\nrequired_sections = []\n")
    report = Report()
    assert load_config(tmp_path, report).required_sections == ()
    (tmp_path / "careleaf.toml").write_text('required_sections = ["see-a-doctor", "symptoms"]\n')
    assert load_config(tmp_path, report).required_sections == ("see-a-doctor", "symptoms")
    assert list(report) == []


@pytest.mark.parametrize("setting", ['required_sections = "see-a-doctor"',
                                     "required_sections = [1]", "layouts = []"])
def test_a_wrong_list_is_still_an_error(tmp_path: Path, setting: str) -> None:
    (tmp_path / "careleaf.toml").write_text(setting + "\n")
    report = Report()
    config = load_config(tmp_path, report)
    key = setting.split(" ")[0]
    what = "layout names" if key == "layouts" else "section ids"
    assert [d.message for d in report] == [f"'{key}' must be a list of {what}"]
    # A broken setting falls back to the default, never to "nothing required".
    assert config.required_sections == ("see-a-doctor",)


def test_a_configured_requirement_names_the_file(minimal: TmpProject) -> None:
    minimal.write("careleaf.toml", 'layouts = ["a4", "epub"]\n'
                                   'required_sections = ["see-a-doctor", "symptoms"]\n')
    result = check(minimal)
    line = line_of(MINIMAL, "Leg cramps are sudden")
    assert result.exit_code == 1
    assert problems(minimal, result) == [
        f"source/en/minimal.md:{line}: error: the 'symptoms' section is required by "
        "careleaf.toml but missing: add a heading '## ... {#symptoms}'"]


# --- a heading that reads like a known section but lacks its id ----------------------

LOOKALIKES = [
    ("en", "## When to see a doctor", "when-to-see-a-doctor"),
    ("en", "## When should I see a doctor?", "when-should-i-see-a-doctor"),
    ("es", "## ¿Cuándo consultar a un médico?", "cuando-consultar-a-un-medico"),
    ("es", "## Cuándo ir al médico", "cuando-ir-al-medico"),
    ("ar", "## متى تراجع الطبيب {#doctor}", "doctor"),
    ("ar", "## مَتَى يَجِبُ أَنْ تُرَاجِعَ الطَّبِيبَ؟ {#when}", "when"),
]


def lookalike(heading: str, made_id: str) -> str:
    title = heading.partition(" {#")[0]
    fix = ("add '{#see-a-doctor}' to the heading" if " {#" not in heading
           else f"change its '{{#{made_id}}}' to '{{#see-a-doctor}}'")
    return (f"'{title}' looks like the see-a-doctor section but has the id '{made_id}': "
            f"{fix} {BOX}")


@pytest.mark.parametrize(("lang", "heading", "made_id"), LOOKALIKES)
def test_a_lookalike_heading_is_a_warning_naming_the_id(minimal: TmpProject, lang: str,
                                                        heading: str, made_id: str) -> None:
    text = with_heading(heading)
    minimal.write("careleaf.toml", OPT_OUT)
    minimal.write(f"source/{lang}/minimal.md", text)
    result = check(minimal, "--skip", "readability", "--skip", "plain-language")
    path = f"source/{lang}/minimal.md"
    shown = [p for p in problems(minimal, result) if p.startswith(path)]
    assert shown == [f"{path}:{line_of(text, heading)}: warning: {lookalike(heading, made_id)}"]


@pytest.mark.parametrize(("lang", "heading", "made_id"), LOOKALIKES)
def test_a_missing_required_section_points_at_its_lookalike(minimal: TmpProject, lang: str,
                                                             heading: str, made_id: str) -> None:
    text = with_heading(heading)
    minimal.write(f"source/{lang}/minimal.md", text)
    result = check(minimal, "--skip", "readability", "--skip", "plain-language")
    path = f"source/{lang}/minimal.md"
    assert result.exit_code == 1
    assert [p for p in problems(minimal, result) if p.startswith(path)] == [
        f"{path}:{line_of(text, heading)}: error: the 'see-a-doctor' section is required by "
        f"default but missing: {lookalike(heading, made_id)} and counts as the required "
        "section"]


@pytest.mark.parametrize(("lang", "heading"), [
    ("en", SECTION),
    ("es", "## ¿Cuándo consultar a un médico? {#see-a-doctor}"),
    ("ar", "## متى تراجع الطبيب {#see-a-doctor}"),
    # Words of another language are not read as this one's.
    ("es", "## When to see a doctor"),
])
def test_no_warning_for_a_heading_with_the_right_id(minimal: TmpProject, lang: str,
                                                    heading: str) -> None:
    minimal.write("careleaf.toml", OPT_OUT)
    minimal.write(f"source/{lang}/minimal.md", with_heading(heading))
    result = check(minimal, "--skip", "readability", "--skip", "plain-language")
    assert not [p for p in problems(minimal, result) if "looks like" in p], result.stderr


def test_a_heading_with_another_known_id_is_that_section(minimal: TmpProject) -> None:
    """'## Treatment, and when to see a doctor {#treatment}' is the treatment section."""
    text = MINIMAL.replace("## Treatment {#treatment}",
                           "## Treatment, and when to see a doctor {#treatment}")
    minimal.write("source/en/minimal.md", text.replace(SECTION, "## Getting help {#help}"))
    result = check(minimal, "--skip", "readability", "--skip", "plain-language")
    assert not [p for p in problems(minimal, result) if "looks like" in p], result.stderr
    assert "add a heading '## ... {#see-a-doctor}'" in result.stderr


def test_the_gate_can_be_skipped_while_drafting(minimal: TmpProject) -> None:
    minimal.write("source/en/minimal.md", with_heading("## When to see a doctor"))
    result = check(minimal, "--skip", "required-sections")
    assert "see-a-doctor" not in result.stderr


# --- the word lists -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_the_shipped_leaflets_headings_are_recognised(lang: str) -> None:
    """Every section of the repository's leaflets that has a known id reads as that id."""
    source = (REPO / "source" / lang / "chronic-muscle-spasms.md").read_text(encoding="utf-8")
    headings = [line.removeprefix("## ").rpartition(" {#") for line in source.splitlines()
                if line.startswith("## ")]
    known = [(title, section_id.rstrip("}")) for title, _, section_id in headings
             if section_id.rstrip("}") in HEADINGS]
    assert len(known) == 3
    assert [known_section(title, lang) for title, _ in known] == [i for _, i in known]


def test_words_fold_case_accents_and_arabic_marks_and_variants() -> None:
    assert words("¿CUÁNDO consultar a un MÉDICO?") == ("cuando", "consultar", "a", "un", "medico")
    assert words("مَتَى تُرَاجِعُ الطَّبِيبَ") == words("متى تراجع الطبيب")
    assert words("الأسباب") == words("الاسباب") == words("الإسباب")
    assert words("الطبيبة") == words("الطبيبه")


def test_a_regional_language_uses_its_language_lists() -> None:
    assert known_section("¿Cuándo consultar a un médico?", "es-MX") == "see-a-doctor"
    assert known_section("When to see a doctor", "zh-Hans") is None
    assert known_section("Stretching", "en") is None
