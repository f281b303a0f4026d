"""Content quality gates of ``careleaf check``: each gate tripped by a fixture, at its
line, and the reports CI reads (``check.json`` against its schema, ``junit.xml``)."""

from __future__ import annotations

import json
import shutil
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest
from click.testing import Result

from conftest import FIXTURES, MINIMAL, REPO, TmpProject

SCHEMA = json.loads((REPO / "scripts/careleaf/check/check-report.schema.json").read_text())
#: minimal.md: ``title`` is on line 2, ``next_review`` on line 6, the overview on line 15.
TODAY = "2026-11-25"


def check(project: TmpProject, *args: str) -> Result:
    return project.run("check", "--today", TODAY, *args)


def problems(project: TmpProject, result: Result) -> list[str]:
    """The diagnostics printed, with the project folder taken off the paths."""
    prefix = f"{project.root}/"
    return [line.replace(prefix, "") for line in result.stderr.splitlines()]


def report_json(project: TmpProject) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "build/reports/check.json").read_text())
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    return data


def junit(project: TmpProject) -> ElementTree.Element:
    return ElementTree.parse(project.root / "build/reports/junit.xml").getroot()


def test_the_shipped_leaflet_passes_every_gate_at_grade_8_or_below() -> None:
    from careleaf.check.quality import check_quality
    from careleaf.config import load_config
    from careleaf.errors import Report
    from careleaf.project import Project
    from careleaf.source.load import load_leaflets

    project, report = Project(REPO), Report()
    leaflet = load_leaflets(project, report, [REPO / "source/en/chronic-muscle-spasms.md"])[0]
    quality = check_quality(leaflet, load_config(REPO, report), leaflet.reviewed, report)
    assert quality.scores.grade is not None and quality.scores.grade <= 8
    assert all(s.scores.grade is not None and s.scores.grade <= 8 for s in quality.sections)
    assert list(report) == []


# --- review dates ----------------------------------------------------------------------

def test_overdue_review_is_an_error_at_next_review(minimal: TmpProject) -> None:
    result = minimal.run("check", "--today", "2036-03-02", "--no-reports")
    assert result.exit_code == 1
    assert ("source/en/minimal.md:6: error: overdue for review since 2036-03-01 (1 day ago): "
            "review the leaflet, then update 'reviewed' and 'next_review'"
            ) in problems(minimal, result)


def test_review_due_soon_is_a_warning_and_strict_makes_it_fatal(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    result = minimal.run("check", "--today", "2036-01-16", "--no-reports")
    warning = ("source/en/minimal.md:6: warning: due for review on 2036-03-01, in 45 days "
               "(warning from 90 days before)")
    assert result.exit_code == 0 and warning in problems(minimal, result)
    strict = minimal.run("check", "--today", "2036-01-16", "--no-reports", "--strict")
    assert strict.exit_code == 1 and warning in problems(minimal, strict)
    minimal.write("careleaf.toml", 'layouts = ["a4", "epub"]\nreview_warning_days = 30\n')
    quiet = minimal.run("check", "--today", "2036-01-16", "--no-reports", "--strict")
    assert quiet.exit_code == 0, quiet.stderr


def test_today_must_be_a_date(minimal: TmpProject) -> None:
    result = minimal.run("check", "--today", "2027-13-01")
    assert result.exit_code == 2 and "'2027-13-01' does not match the format" in result.output


# --- required sections -----------------------------------------------------------------

def test_a_section_the_clinic_requires_is_an_error_when_missing(minimal: TmpProject) -> None:
    minimal.write("careleaf.toml", 'layouts = ["a4", "epub"]\n'
                                   'required_sections = ["see-a-doctor", "symptoms"]\n')
    result = check(minimal, "--no-reports")
    assert result.exit_code == 1
    assert ("source/en/minimal.md:15: error: the 'symptoms' section is required by "
            "careleaf.toml but missing: add a heading '## ... {#symptoms}'"
            ) in problems(minimal, result)
    minimal.write("source/en/minimal.md", MINIMAL + "\n## Symptoms {#symptoms}\n\nThe muscle "
                                                    "goes hard and hurts.\n")
    assert "required" not in check(minimal, "--no-reports").stderr


# --- readability -----------------------------------------------------------------------

HARD = ("Nocturnal gastrocnemius contractions frequently originate from electrolyte "
        "abnormalities, pharmacological interactions and prolonged immobilisation.")
MIDDLING = ("Cramps in the legs at night are common in older people and in people who "
            "exercise regularly. Muscles that are tired or dehydrated are more likely to "
            "tighten suddenly and painfully. Take particular care with medicines, such as "
            "diuretics, which increase the likelihood of cramps.")


def leaflet_of(project: TmpProject, prose: str, heading: str = "Stretching") -> None:
    """A leaflet whose every paragraph is ``prose``, but for one short sentence in the
    section on when to see a doctor, which every leaflet needs."""
    project.write("source/en/minimal.md", MINIMAL.split("---\n")[0] + "---\n"
                  + MINIMAL.split("---\n")[1] + "---\n" + f"{prose}\n\n## Causes {{#causes}}\n\n"
                  f"### Tired muscles {{#tired}}\n\n{prose}\n\n## Treatment {{#treatment}}\n\n"
                  f"### {heading} {{#stretching}}\n\nStretch gently. {prose}\n\n"
                  "## When to see a doctor {#see-a-doctor}\n\nSee a doctor if it gets worse.\n")


def shown_grade(lines: list[str], severity: str, rest: str) -> float:
    """The grade in the one readability line ``…:2: <severity>: reading grade X is <rest>``."""
    start = f"source/en/minimal.md:2: {severity}: reading grade "
    (line,) = [line for line in lines if line.startswith(start)]
    grade, _, tail = line.removeprefix(start).partition(" is ")
    assert tail.startswith(rest), line
    return float(grade)


def test_grade_above_10_is_an_error_and_above_8_a_warning(minimal: TmpProject) -> None:
    leaflet_of(minimal, HARD)
    result = check(minimal)
    grade = report_json(minimal)["leaflets"][0]["readability"]["grade"]
    assert result.exit_code == 1 and grade > 10
    assert shown_grade(problems(minimal, result), "error", "above 10:") == pytest.approx(
        grade, abs=0.06)
    leaflet_of(minimal, MIDDLING)
    result = check(minimal)
    grade = report_json(minimal)["leaflets"][0]["readability"]["grade"]
    assert 8 < grade <= 10
    shown = problems(minimal, result)
    assert shown_grade(shown, "warning", "above the target of 8: use shorter sentences and "
                       "shorter words (hardest: causes, treatment)") == pytest.approx(grade,
                                                                                      abs=0.06)
    assert any(line.startswith("source/en/minimal.md:17: warning: section 'causes' reads at "
                               "grade ") for line in shown)
    assert "error: reading grade" not in result.stderr


def test_headings_are_not_scored_as_prose(minimal: TmpProject) -> None:
    leaflet_of(minimal, "Rest the leg. Drink water.")
    check(minimal)
    plain = report_json(minimal)["leaflets"][0]["readability"]
    leaflet_of(minimal, "Rest the leg. Drink water.",
               heading="Hypercalcaemia-associated neuromuscular hyperexcitability")
    check(minimal)
    with_hard_heading = report_json(minimal)["leaflets"][0]["readability"]
    assert with_hard_heading["words"] == plain["words"]
    assert with_hard_heading["grade"] == plain["grade"]


def test_thresholds_come_from_the_configuration(minimal: TmpProject) -> None:
    leaflet_of(minimal, MIDDLING)
    minimal.write("careleaf.toml", 'layouts = ["a4", "epub"]\n[readability]\nwarn_grade = 10.5\n')
    assert "reading grade" not in check(minimal, "--no-reports").stderr
    minimal.write("careleaf.toml", 'layouts = ["a4", "epub"]\n[readabilty]\nwarn_grade = 9\n'
                                   '[lint]\nsentence_words = "long"\n')
    result = check(minimal, "--no-reports")
    assert result.exit_code == 1
    assert ("careleaf.toml: error: unknown careleaf setting 'readabilty' (did you mean "
            "'readability'?)") in problems(minimal, result)
    assert ("careleaf.toml: error: 'lint.sentence_words' must be a whole number greater "
            "than 0") in problems(minimal, result)


# --- plain-language lint ---------------------------------------------------------------

PLAIN_LANGUAGE = [
    "source/en/hard.md:13: warning: paragraph of 6 sentences (more than 5); split it so each "
    "paragraph makes one point",
    "source/en/hard.md:16: warning: sentence of 26 words (more than 25): 'Many things can set "
    "them off, such as standing all day, sit…'; split it in two",
    "source/en/hard.md:22: warning: sentence of 31 words (more than 25): 'Low electrolytes can "
    "make cramps more likely after a long d…'; split it in two",
    "source/en/hard.md:22: warning: 'electrolytes' is used without explanation (glossary: "
    "'salts in your blood, like sodium and potassium'); explain it the first time, e.g. in "
    "brackets after it",
    "source/en/hard.md:24: warning: 'DO NOT IGNORE THIS' is in capitals: capitals read as "
    "shouting and are harder to read; use bold for what matters",
    "source/en/hard.md:26: warning: heading level 4 ('####') is deeper than 3 levels; readers "
    "lose their place: make it a '###' item or plain text",
    "source/en/hard.md:36: warning: 'Warmth' gives the reader nothing to do (no sentence "
    "starts with an instruction like 'Rest…' or 'Call…', as far as careleaf can tell); say "
    "what to do",
]


@pytest.fixture
def hard(project: TmpProject) -> TmpProject:
    shutil.copytree(FIXTURES / "plain-language" / "source", project.root / "source",
                    dirs_exist_ok=True)
    assert project.run("build").exit_code == 0
    return project


def test_each_plain_language_problem_is_a_warning_at_its_line(hard: TmpProject) -> None:
    result = check(hard)
    assert result.exit_code == 0, result.stderr
    assert problems(hard, result) == PLAIN_LANGUAGE  # 'cramp' is explained where first used
    assert check(hard, "--strict").exit_code == 1


def test_explaining_the_term_and_an_instruction_silence_their_warnings(
        hard: TmpProject) -> None:
    source = hard.root / "source/en/hard.md"
    text = source.read_text()
    source.write_text(text.replace("Low electrolytes can", "Low electrolytes (salts in your "
                                   "blood) can").replace("A warm bath is", "Have a warm bath. "
                                                         "It is"))
    assert hard.run("build").exit_code == 0
    shown = problems(hard, check(hard))
    assert not any("electrolytes' is used" in line or "'Warmth'" in line for line in shown)
    assert len(shown) == len(PLAIN_LANGUAGE) - 2


def test_a_broken_glossary_is_an_error_at_its_line(minimal: TmpProject) -> None:
    minimal.write("source/glossary.yml", "cramp: a sudden tight muscle\nspasm:\n  - a list\n")
    result = check(minimal, "--no-reports")
    assert result.exit_code == 1
    assert ("source/glossary.yml:2: error: each glossary entry must be 'term: plain "
            "explanation', both plain text") in problems(minimal, result)


# --- reports ---------------------------------------------------------------------------

def test_check_json_follows_its_schema_and_says_what_was_found(hard: TmpProject) -> None:
    assert check(hard, "--today", "2036-03-02").exit_code == 1  # the later --today wins
    data = report_json(hard)
    assert data["today"] == "2036-03-02" and data["passed"] is False
    assert data["totals"] == {"leaflets": 1, "errors": 1, "warnings": len(PLAIN_LANGUAGE)}
    (leaflet,) = data["leaflets"]
    assert leaflet["key"] == "en/hard" and leaflet["source"] == "source/en/hard.md"
    assert leaflet["checks"]["review"] == "failed"
    assert leaflet["checks"]["plain-language"] == "warned"
    assert leaflet["checks"]["completeness"] == "passed"
    coverage = {entry["layout"]: entry for entry in leaflet["coverage"]}
    assert set(coverage) == {"a4", "epub"}
    assert coverage["a4"]["causes"] == {"found": 1, "total": 1}
    assert coverage["epub"]["treatment"] == {"found": 2, "total": 2}
    lines = {(d["check"], d["line"]) for d in leaflet["diagnostics"]}
    assert ("review", 6) in lines and ("plain-language", 26) in lines
    assert [s["id"] for s in leaflet["readability"]["sections"]] == ["causes", "treatment",
                                                                     "see-a-doctor"]


def test_junit_has_a_case_per_leaflet_and_check(hard: TmpProject) -> None:
    check(hard, "--today", "2036-03-02")
    root = junit(hard)
    (suite,) = root.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert suite.get("name") == "en/hard"
    assert list(cases) == ["source", "translation", "review", "required-sections",
                           "readability", "plain-language", "completeness", "page-list",
                           "fill"]
    review = cases["review"].find("failure")
    assert review is not None and "overdue for review" in (review.get("message") or "")
    assert cases["plain-language"].find("failure") is None  # warnings fail only with --strict
    assert "DO NOT IGNORE THIS" in (cases["plain-language"].findtext("system-out") or "")
    assert (suite.get("tests"), suite.get("failures")) == ("9", "1")
    assert (root.get("tests"), root.get("failures")) == ("9", "1")
    check(hard, "--today", "2036-03-02", "--strict")
    strict = {case.get("name"): case for case in junit(hard).iter("testcase")}
    assert strict["plain-language"].find("failure") is not None


def test_a_source_with_errors_is_reported_not_measured(minimal: TmpProject) -> None:
    minimal.write("source/en/broken.md", MINIMAL.replace("title: Leg cramps\n", ""))
    result = check(minimal)
    assert result.exit_code == 1
    broken = next(e for e in report_json(minimal)["leaflets"] if e["key"] == "en/broken")
    assert broken["loaded"] is False and broken["checks"]["source"] == "failed"
    assert "readability" not in broken


def test_plain_summary_without_a_terminal(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    result = check(minimal)
    assert result.exit_code == 0, result.stderr
    notes, *lines = result.stdout.splitlines()  # the fixture is a draft, which it notes
    assert notes.endswith("minimal.md:1: note: is a draft: checked, but 'careleaf publish' "
                          "publishes it only once approved")
    assert lines[0].split() == ["leaflet", "errors", "warnings", "grade", "causes",
                                "treatments"]
    row = lines[1].split()
    assert row[:3] == ["en/minimal", "0", "0"] and float(row[3]) < 8
    assert "2/2 in 2 outputs" in lines[1] and "\x1b[" not in result.stdout


def test_skipped_gates_are_not_run_nor_reported(minimal: TmpProject) -> None:
    leaflet_of(minimal, HARD)
    assert minimal.run("build").exit_code == 0
    result = check(minimal, "--skip", "readability", "--skip", "plain-language")
    assert result.exit_code == 0, result.stderr
    data = report_json(minimal)
    assert "readability" not in data["checks"] and "plain-language" not in data["checks"]
    assert data["leaflets"][0]["readability"]["grade"] > 10  # still measured, not gated
    assert check(minimal, "--skip", "spelling").exit_code == 2
