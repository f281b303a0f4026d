"""Content quality gates: review dates, required sections and readability targets.

``careleaf check`` runs these on every leaflet besides the completeness check.
Each problem is reported at the source line a writer has to change, with a
check name (``review``, ``required-sections``, ``readability``) so reports can
group them. A ``##`` heading whose words read like a known section of the
leaflet's language (``i18n.sections``) but whose id is another is named too: it is
where a missing required section usually is. Dates are compared against ``today``,
which CI pins with ``--today`` so that a build does not start failing on its own
overnight. Readability is scored on prose only: paragraphs and list entries, never
headings, table cells, code or the templates' footers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from careleaf.check.gates import READABILITY, REQUIRED_SECTIONS, REVIEW
from careleaf.check.readability import Scores, score
from careleaf.config import Config
from careleaf.errors import Report
from careleaf.i18n.sections import HEADINGS, known_section
from careleaf.source.body import slug
from careleaf.source.model import Block, Leaflet, Section

#: A section needs this many sentences before its own grade means anything.
MIN_SECTION_SENTENCES = 3
#: The section the layouts put in a highlighted box, with the clinic's urgent-help line.
URGENT_SECTION = "see-a-doctor"


@dataclass(frozen=True)
class SectionScores:
    id: str
    title: str
    line: int
    scores: Scores


@dataclass(frozen=True)
class Quality:
    """What the gates measured for one leaflet, for the reports."""

    scores: Scores
    sections: list[SectionScores] = field(default_factory=list)


def check_quality(leaflet: Leaflet, config: Config, today: date, report: Report,
                  skip: set[str] | None = None) -> Quality:
    """Run the gates not in ``skip``; readability is measured for the reports either way."""
    skip = skip or set()
    if REVIEW.name not in skip:
        _check_review(leaflet, config, today, report)
    if REQUIRED_SECTIONS.name not in skip:
        _check_required_sections(leaflet, config, report)
    gated = report if READABILITY.name not in skip else Report()
    return _check_readability(leaflet, config, gated)


def _check_review(leaflet: Leaflet, config: Config, today: date, report: Report) -> None:
    line = leaflet.key_lines.get("next_review")
    due = leaflet.next_review
    if due < today:
        report.error(leaflet.path, line, f"overdue for review since {due.isoformat()} "
                     f"({_days(today - due)} ago): review the leaflet, then update "
                     "'reviewed' and 'next_review'", REVIEW.name)
    elif (due - today).days <= config.review_warning_days:
        report.warning(leaflet.path, line, f"due for review on {due.isoformat()}, in "
                       f"{_days(due - today)} (warning from {config.review_warning_days} "
                       "days before)", REVIEW.name)


def _days(span: timedelta) -> str:
    return "1 day" if span.days == 1 else f"{span.days} days"


def _check_required_sections(leaflet: Leaflet, config: Config, report: Report) -> None:
    """A missing required section is an error: at the heading that reads like it but
    lacks its id if there is one, else at the overview. Any other such heading is a
    warning, since the layouts and translations know a section by its id alone."""
    present = {section.id for section in leaflet.sections}
    lookalikes = _lookalikes(leaflet, present)
    line = leaflet.overview_located[0].line if leaflet.overview_located else None
    where = (f" by {config.path.name}" if config.path and "required_sections" in config.settings
             else " by default")
    for section_id in config.required_sections:
        if section_id in present:
            continue
        missing = f"the '{section_id}' section is required{where} but missing"
        if (heading := lookalikes.pop(section_id, None)) is not None:
            report.error(leaflet.path, heading.line, f"{missing}: "
                         + _lookalike(heading, section_id, required=True),
                         REQUIRED_SECTIONS.name)
        else:
            report.error(leaflet.path, line, f"{missing}: add a heading "
                         f"'## ... {{#{section_id}}}'", REQUIRED_SECTIONS.name)
    for section_id, heading in lookalikes.items():
        report.warning(leaflet.path, heading.line, _lookalike(heading, section_id),
                       REQUIRED_SECTIONS.name)


def _lookalikes(leaflet: Leaflet, present: set[str]) -> dict[str, Section]:
    """Known sections the leaflet lacks, each with the first heading that reads like it.

    A heading that already has a known section's id is that section, whatever its words
    say ("## Causes and when to see a doctor {#causes}").
    """
    found: dict[str, Section] = {}
    for section in leaflet.sections:
        known = known_section(section.title, leaflet.lang)
        if (known is not None and section.id not in HEADINGS and known not in present
                and known not in found):
            found[known] = section
    return found


def _lookalike(heading: Section, section_id: str, *, required: bool = False) -> str:
    """What is wrong with ``heading``, which reads like ``section_id``, and the fix."""
    fix = (f"add '{{#{section_id}}}' to the heading" if heading.id == slug(heading.title)
           else f"change its '{{#{heading.id}}}' to '{{#{section_id}}}'")
    gains = [gain for gain, applies in (
        ("gets the section's highlighted box", section_id == URGENT_SECTION),
        ("counts as the required section", required)) if applies]
    return (f"'## {heading.title}' looks like the {section_id} section but has the id "
            f"'{heading.id}': {fix} so it "
            + (" and ".join(gains) or f"is known as the '{section_id}' section"))


def _check_readability(leaflet: Leaflet, config: Config, report: Report) -> Quality:
    targets = config.readability
    whole = score(_prose(leaflet.overview_located, *(_section_blocks(s)
                                                     for s in leaflet.sections)), leaflet.lang)
    sections = [SectionScores(s.id, s.title, s.line,
                              score(_prose(_section_blocks(s)), leaflet.lang))
                for s in leaflet.sections]
    line = leaflet.key_lines.get("title")
    if whole.grade is not None and whole.grade > targets.error_grade:
        report.error(leaflet.path, line, f"reading grade {whole.grade:.1f} is above "
                     f"{targets.error_grade:g}: {_advice(sections, targets.warn_grade)}",
                     READABILITY.name)
    elif whole.grade is not None and whole.grade > targets.warn_grade:
        report.warning(leaflet.path, line, f"reading grade {whole.grade:.1f} is above the "
                       f"target of {targets.warn_grade:g}: "
                       f"{_advice(sections, targets.warn_grade)}", READABILITY.name)
    if whole.smog is not None and whole.smog > targets.warn_smog:
        report.warning(leaflet.path, line, f"SMOG grade {whole.smog:.1f} is above the target "
                       f"of {targets.warn_smog:g}: use fewer words of three or more "
                       "syllables", READABILITY.name)
    for section in sections:
        grade = section.scores.grade
        if (grade is not None and grade > targets.warn_grade
                and section.scores.sentences >= MIN_SECTION_SENTENCES):
            report.warning(leaflet.path, section.line, f"section '{section.id}' reads at "
                           f"grade {grade:.1f} (target {targets.warn_grade:g})",
                           READABILITY.name)
    return Quality(whole, sections)


def _advice(sections: list[SectionScores], target: float) -> str:
    hard = [s.id for s in sections if s.scores.grade is not None and s.scores.grade > target]
    where = f" (hardest: {', '.join(hard[:3])})" if hard else ""
    return f"use shorter sentences and shorter words{where}"


def _section_blocks(section: Section) -> tuple[Block, ...]:
    return (*section.located, *(block for item in section.items for block in item.located))


def _prose(*groups: tuple[Block, ...]) -> list[str]:
    return [block.text for group in groups for block in group if block.is_prose]
