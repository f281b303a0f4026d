"""Reports of ``careleaf check``: a terminal summary, ``check.json`` and ``junit.xml``.

People read the summary (one row per leaflet: problems, reading grade, how
many causes and treatments reached each output); CI tools read the files in
``build/reports/``. ``check.json`` has a stable, versioned schema, documented
in ``scripts/careleaf/check/check-report.schema.json``. ``junit.xml`` has one test
case per leaflet and check (``gates.CHECKS``), so a CI system shows a failing gate
natively, next to the lines that made it fail. Both are written atomically.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from careleaf import __version__
from careleaf.check.gates import SOURCE
from careleaf.check.quality import Quality
from careleaf.errors import Diagnostic, Report
from careleaf.files import write_atomic
from careleaf.outputs import owner
from careleaf.project import Project
from careleaf.source.model import Leaflet

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Coverage:
    """How much of one leaflet one output holds: the proof that nothing was lost."""

    output: Path
    layout: str
    #: ``causes``, ``treatment`` and ``all`` parts: (found, looked for).
    parts: dict[str, tuple[int, int]]


@dataclass
class LeafletResult:
    source: Path
    leaflet: Leaflet | None = None
    quality: Quality | None = None
    coverage: list[Coverage] = field(default_factory=list)


@dataclass
class CheckRun:
    """Everything one ``careleaf check`` found, ready to be reported."""

    project: Project
    today: date
    strict: bool
    #: The names of the checks the run made, in report order (``gates.CHECKS``).
    checks: list[str]
    leaflets: list[LeafletResult]
    report: Report

    def diagnostics_of(self, result: LeafletResult) -> list[Diagnostic]:
        key = _key(result.source)
        return [d for d in self.report if self._owner(d) == key]

    def unowned(self) -> list[Diagnostic]:
        keys = {_key(result.source) for result in self.leaflets}
        return [d for d in self.report if self._owner(d) not in keys]

    def _owner(self, diagnostic: Diagnostic) -> str | None:
        """``lang/id`` of the leaflet a diagnostic is about: its source or one of its files."""
        found = owner(self.project, diagnostic.location.path)
        return "/".join(found) if found else None

    @property
    def passed(self) -> bool:
        return not self.report.failed(self.strict)


def _key(source: Path) -> str:
    return f"{source.parent.name}/{source.stem}"


def _check_of(diagnostic: Diagnostic) -> str:
    return diagnostic.check or SOURCE.name


# --- check.json ----------------------------------------------------------------------

def to_json(run: CheckRun) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "careleaf_version": __version__,
        "today": run.today.isoformat(),
        "strict": run.strict,
        "passed": run.passed,
        "checks": run.checks,
        "totals": {"leaflets": len(run.leaflets), "errors": len(run.report.errors),
                   "warnings": len(run.report.warnings)},
        "leaflets": [_leaflet_json(run, result) for result in run.leaflets],
        "other_diagnostics": [_diagnostic_json(run, d) for d in run.unowned()],
    }


def _leaflet_json(run: CheckRun, result: LeafletResult) -> dict[str, Any]:
    leaflet, found = result.leaflet, run.diagnostics_of(result)
    entry: dict[str, Any] = {
        "key": _key(result.source), "source": _rel(run, result.source),
        "loaded": leaflet is not None,
        "errors": sum(d.severity == "error" for d in found),
        "warnings": sum(d.severity == "warning" for d in found),
    }
    if leaflet is not None:
        entry.update(title=leaflet.title, lang=leaflet.lang, version=leaflet.version,
                     reviewed=leaflet.reviewed.isoformat(),
                     next_review=leaflet.next_review.isoformat())
    if result.quality is not None:
        entry["readability"] = {
            **_scores_json(result.quality.scores),
            "sections": [{"id": s.id, "title": s.title, "line": s.line,
                          **_scores_json(s.scores)} for s in result.quality.sections]}
    entry["coverage"] = [
        {"output": _rel(run, c.output), "layout": c.layout,
         **{part: {"found": f, "total": t} for part, (f, t) in c.parts.items()}}
        for c in result.coverage]
    entry["checks"] = {check: _status(check, found) for check in run.checks}
    entry["diagnostics"] = [_diagnostic_json(run, d) for d in found]
    return entry


def _scores_json(scores: Any) -> dict[str, Any]:
    return {key: round(value, 2) if isinstance(value, float) else value
            for key, value in dataclasses.asdict(scores).items()}


def _status(check: str, found: list[Diagnostic]) -> str:
    mine = [d for d in found if _check_of(d) == check]
    if any(d.severity == "error" for d in mine):
        return "failed"
    return "warned" if mine else "passed"


def _diagnostic_json(run: CheckRun, diagnostic: Diagnostic) -> dict[str, Any]:
    return {"file": _rel(run, diagnostic.location.path), "line": diagnostic.location.line,
            "severity": diagnostic.severity, "check": _check_of(diagnostic),
            "message": diagnostic.message}


def _rel(run: CheckRun, path: Path) -> str:
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(run.project.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --- junit.xml ---------------------------------------------------------------------

def to_junit(run: CheckRun) -> bytes:
    """One ``testsuite`` per leaflet, one ``testcase`` per check; warnings fail only
    with ``--strict``, otherwise they are listed in the case's ``system-out``."""
    suites = ElementTree.Element("testsuites", name="careleaf check")
    for result in run.leaflets:
        found = run.diagnostics_of(result)
        suite = ElementTree.SubElement(suites, "testsuite", name=_key(result.source))
        for check in run.checks:
            _testcase(suite, run, result, check, [d for d in found if _check_of(d) == check])
        _count(suite)
    if run.unowned():
        suite = ElementTree.SubElement(suites, "testsuite", name="project")
        _testcase(suite, run, None, "configuration and layouts", run.unowned())
        _count(suite)
    _count(suites, children="testsuite")
    ElementTree.indent(suites)
    return bytes(ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True))


def _testcase(suite: ElementTree.Element, run: CheckRun, result: LeafletResult | None,
              check: str, found: list[Diagnostic]) -> None:
    classname = _key(result.source).replace("/", ".") if result else "project"
    case = ElementTree.SubElement(suite, "testcase", classname=classname, name=check,
                                  file=_rel(run, result.source) if result else "")
    failing = [d for d in found
               if d.severity == "error" or (run.strict and d.severity == "warning")]
    if failing:
        failure = ElementTree.SubElement(case, "failure", type=failing[0].severity,
                                         message=f"{len(failing)} problem(s): "
                                                 f"{failing[0].message}"[:500])
        failure.text = "\n".join(str(d) for d in failing)
    rest = [d for d in found if d not in failing]
    if rest:
        ElementTree.SubElement(case, "system-out").text = "\n".join(str(d) for d in rest)


def _count(element: ElementTree.Element, children: str = "testcase") -> None:
    if children == "testcase":
        cases = element.findall("testcase")
        failures = sum(case.find("failure") is not None for case in cases)
    else:
        cases = element.findall("testsuite/testcase")
        failures = sum(int(s.get("failures", "0")) for s in element.findall("testsuite"))
    element.set("tests", str(len(cases)))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")


def write_reports(run: CheckRun) -> list[Path]:
    folder = run.project.build_dir / "reports"
    json_path, junit_path = folder / "check.json", folder / "junit.xml"
    write_atomic(json_path, (json.dumps(to_json(run), indent=2, ensure_ascii=False)
                             + "\n").encode("utf-8"))
    write_atomic(junit_path, to_junit(run))
    return [json_path, junit_path]


# --- terminal ------------------------------------------------------------------------

def summary_rows(run: CheckRun) -> list[list[str]]:
    rows = []
    for result in run.leaflets:
        found = run.diagnostics_of(result)
        grade = result.quality.scores.grade if result.quality else None
        rows.append([_key(result.source),
                     str(sum(d.severity == "error" for d in found)),
                     str(sum(d.severity == "warning" for d in found)),
                     f"{grade:.1f}" if grade is not None else NONE,
                     _coverage_text(result.coverage, "causes"),
                     _coverage_text(result.coverage, "treatment")])
    return rows


NONE = "\u2013"  # an en dash: nothing measured
HEADER = ["leaflet", "errors", "warnings", "grade", "causes", "treatments"]


def _coverage_text(coverage: Iterable[Coverage], part: str) -> str:
    counts = [c.parts[part] for c in coverage if part in c.parts]
    if not counts:
        return NONE
    found, total = min(f for f, _ in counts), counts[0][1]
    return f"{found}/{total} in {len(counts)} outputs"


def print_summary(run: CheckRun) -> None:
    """A table on a colour terminal; plain aligned text in CI logs or with NO_COLOR."""
    rows = summary_rows(run)
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console
        from rich.table import Table

        table = Table(*HEADER, title="careleaf check")
        for row in rows:
            style = "red" if row[1] != "0" else "yellow" if row[2] != "0" else "green"
            table.add_row(*row, style=style)
        Console().print(table)
        return
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
