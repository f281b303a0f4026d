"""The import report: what was found, what was dropped, and what to rewrite first.

For each import: the sections and items found (with their words and the lines of the
draft and of the input), every piece of debris dropped with why and where (so nothing
disappears silently), the warnings (a ``causes`` or ``treatment`` section with no
items), and the quality gates of ``careleaf check`` run on the draft: reading grade,
required sections, long sentences and the rest of the plain-language lint.

The gates need a loadable leaflet, and a draft is not one: its review dates are left
for the editor, and an itemless ``causes`` section is an error to the loader. So they
run on a copy in memory, with dates filled in and a placeholder ``###`` heading on
the blank line under each itemless section's heading (same lines, so every finding
points at the right line of the draft); findings at a placeholder are moved to its
section's heading. Nothing of that copy is ever written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from careleaf.check.lint import glossary_path, lint, load_glossary
from careleaf.check.quality import check_quality
from careleaf.check.readability import Scores
from careleaf.config import Config
from careleaf.errors import Diagnostic, Location, Report, display_path
from careleaf.ingest.markdown import Written, with_review_dates
from careleaf.ingest.structure import ITEM_SECTIONS, Draft
from careleaf.project import Project
from careleaf.source.load import load_text


@dataclass
class Gates:
    """What the quality gates found on the draft (with review dates filled in)."""

    scores: Scores | None = None
    sections: dict[str, float | None] = field(default_factory=dict)
    findings: list[Diagnostic] = field(default_factory=list)


@dataclass
class Imported:
    """One input, imported: everything the report says about it."""

    input: Path
    path: Path
    draft: Draft
    written: Written
    warnings: list[Diagnostic]
    gates: Gates
    seconds: float = 0.0


def warnings(draft: Draft, written: Written, path: Path) -> list[Diagnostic]:
    """The draft's problems an editor must fix by hand, at the draft's lines."""
    found = []
    for section in draft.sections:
        if section.no_items:
            found.append(Diagnostic(Location(path, written.lines[section.id]),
                                    f"the '{section.id}' section has no items; split it into "
                                    f"one ### item per {ITEM_SECTIONS[section.id]}", "warning"))
    if not draft.overview:
        overview = written.text.split("\n").index("---", 1) + 2  # the line after ---
        found.append(Diagnostic(Location(path, overview), "no overview was found: write a few "
                                "sentences before the first ## heading", "warning"))
    return found


def measure(project: Project, config: Config, path: Path, written: Written,
            today: date) -> Gates:
    """Run the quality gates on a loadable copy of the draft, in memory."""
    text, placeholders = _measurable(written, today)
    loaded = Report()
    leaflet = load_text(text, path, project, loaded)
    if leaflet is None:
        return Gates(findings=_moved(loaded.diagnostics, placeholders))
    found = Report()
    quality = check_quality(leaflet, config, today, found, skip={"review"})
    lint(leaflet, config.lint, load_glossary(glossary_path(project.source_dir, leaflet.lang),
                                             found), found)
    grades = {s.id: s.scores.grade for s in quality.sections}
    findings = _moved([*loaded, *found], placeholders)
    return Gates(quality.scores, grades, sorted(findings, key=lambda d: d.location.line or 0))


def _measurable(written: Written, today: date) -> tuple[str, dict[int, int]]:
    """The draft with review dates, and a placeholder item under each itemless section
    (on the blank line below its heading); placeholder line -> heading line."""
    lines = with_review_dates(written.text, today).split("\n")
    placeholders = {}
    sections = {key: line for key, line in written.lines.items() if "/" not in key}
    for section_id, line in sections.items():
        has_items = any(key.startswith(f"{section_id}/") for key in written.lines)
        if section_id in ITEM_SECTIONS and not has_items and line < len(lines) \
                and not lines[line].strip():
            lines[line] = f"### Text {{#careleaf-import-{section_id}}}"
            placeholders[line + 1] = line
    return "\n".join(lines), placeholders


def _moved(findings: list[Diagnostic], placeholders: dict[int, int]) -> list[Diagnostic]:
    return [Diagnostic(Location(d.location.path, placeholders.get(d.location.line or 0,
                                                                  d.location.line)),
                       d.message, d.severity, d.check) for d in findings]


def text_report(result: Imported) -> list[str]:
    """The report as lines of text, for the terminal and ``<id>.txt``."""
    draft, shown = result.draft, display_path(result.path)
    lines = [f"Imported {display_path(result.input)} ({draft.document.kind}) as {shown} "
             f"in {result.seconds:.2f} s",
             f"Title: {draft.title} (from {draft.title_from})", f"Summary: {draft.summary}",
             "", f"Found: overview ({_count(len(draft.overview), 'block')}, "
             f"{sum(len(t.text.split()) for t in draft.overview)} words), "
             f"{_count(len(draft.sections), 'section')}, "
             f"{_count(sum(len(s.items) for s in draft.sections), 'item')}"]
    for section in draft.sections:
        known = f"{section.known} section" if section.known else "plain section"
        lines.append(f"  {shown}:{result.written.lines[section.id]}: ## {section.title} "
                     f"{{#{section.id}}}: {known}, {_count(len(section.intro), 'paragraph')} "
                     f"of introduction, {_count(len(section.items), 'item')}, "
                     f"{section.words} words (input {section.where})")
        lines += [f"      ### {item.title} {{#{item.id}}}" for item in section.items]
    lines += ["", f"Dropped as debris ({len(draft.dropped)}):"]
    lines += [f"  {d.where}: \"{d.text}\" ({d.why})" for d in draft.dropped] or ["  nothing"]
    lines += ["", "Warnings:", *(f"  {w}" for w in result.warnings)] if result.warnings else []
    return [*lines, "", *_gates_text(result)]


def _gates_text(result: Imported) -> list[str]:
    gates = result.gates
    lines = ["Quality gates on the draft (as if reviewed; fix these first):"]
    if gates.scores is not None and gates.scores.grade is not None:
        hardest = ", ".join(f"{key} {grade:.1f}" for key, grade in gates.sections.items()
                            if grade is not None)
        lines.append(f"  reading grade {gates.scores.grade:.1f} overall"
                     + (f"; by section: {hardest}" if hardest else ""))
    lines += [f"  {finding}" for finding in gates.findings] or ["  no findings"]
    return [*lines, "", "Before it can be built: set 'reviewed' and 'next_review' in the "
            "front matter once a clinician has reviewed it (until then careleaf reports "
            "\"missing required key 'reviewed'\")."]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def json_report(result: Imported) -> dict[str, object]:
    """The report as data, for ``--format json`` and ``<id>.json``."""
    draft = result.draft
    return {
        "input": str(result.input), "draft": str(result.path), "kind": draft.document.kind,
        "lang": draft.lang, "id": result.path.stem, "title": draft.title,
        "title_from": draft.title_from, "summary": draft.summary, "seconds": result.seconds,
        "sections": [{"id": s.id, "title": s.title, "known": s.known or None,
                      "line": result.written.lines[s.id], "input": s.where,
                      "paragraphs": len(s.intro), "words": s.words, "no_items": s.no_items,
                      "items": [{"id": i.id, "title": i.title,
                                 "line": result.written.lines[f"{s.id}/{i.id}"]}
                                for i in s.items]} for s in draft.sections],
        "dropped": [{"text": d.text, "why": d.why, "where": d.where} for d in draft.dropped],
        "warnings": [_finding(w) for w in result.warnings],
        "quality": {"grade": result.gates.scores.grade if result.gates.scores else None,
                    "sections": result.gates.sections,
                    "findings": [_finding(f) for f in result.gates.findings]},
    }


def _finding(diagnostic: Diagnostic) -> dict[str, object]:
    return {"line": diagnostic.location.line, "severity": diagnostic.severity,
            "check": diagnostic.check or None, "message": diagnostic.message}


def report_paths(project: Project, lang: str, leaflet_id: str) -> tuple[Path, Path]:
    """``build/reports/import/<lang>/<id>.txt`` and ``.json``: beside the draft's outputs,
    never in ``source/``, which holds only what writers write."""
    folder = project.build_dir / "reports" / "import" / lang
    return folder / f"{leaflet_id}.txt", folder / f"{leaflet_id}.json"


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
