"""The check orchestrator: every gate ``careleaf check`` runs, in one readable order.

Load and validate the sources; compare each translation with its original
(``translations``: the same section and item ids, and the original's version);
warn of a title two leaflets of one language share (``catalogue``);
prove each output holds every cause and treatment (``completeness``), is still what
the build wrote, and that every other file written for it (imposed sheets,
proofs) reads back whole (``written``), and that the ebook's page list matches
the print (``page_list``), and that no tri-fold panel or last page is mostly
empty (``fill``); measure each leaflet against the content gates
(``quality``: review dates, required sections, readability) and the
plain-language lint; then the slow external validators, EPUBCheck and DAISY Ace,
when asked for. Each stage's diagnostics are tagged with the check that found
them, so ``reports`` can show one line per leaflet and check. Last, each leaflet's
``verdicts``: what ``careleaf publish`` may take of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from careleaf.check.ace import run_ace
from careleaf.check.catalogue import catalogue_of, check_titles
from careleaf.check.completeness import check as check_outputs
from careleaf.check.epubcheck import run_epubcheck
from careleaf.check.fill import check_fill
from careleaf.check.gates import ACE, CHECKS, EPUBCHECK, FILL, PLAIN_LANGUAGE, Check
from careleaf.check.lint import Term, glossary_path, lint, load_glossary
from careleaf.check.quality import check_quality
from careleaf.check.reports import CheckRun, LeafletResult
from careleaf.check.verdicts import Verdict, verdict_of
from careleaf.config import load_config
from careleaf.errors import Report
from careleaf.outputs import owner
from careleaf.pipeline.manifest import Manifest
from careleaf.project import Project
from careleaf.source.model import Leaflet
from careleaf.source.translations import check_translations

T = TypeVar("T")


def run_checks(project: Project, report: Report, *, today: date, strict: bool = False,
               layout_names: list[str] | None = None, sources: list[Path] | None = None,
               brand_name: str = "default", epubcheck: bool = False, ace: bool = False,
               skip: set[str] | None = None) -> tuple[CheckRun, dict[str, Verdict]]:
    """Every check on ``sources`` (default: all) but those in ``skip``: the run, and each
    leaflet's verdict for the publish gate, by ``<lang>/<id>``."""
    skip = skip or set()
    config = load_config(project.root, report)
    manifest = Manifest(project)
    # Hashed before anything is read: a verdict is never about a newer source than checked.
    manifest.hash_inputs(sources or project.sources())
    verified = check_outputs(project, report, layout_names=layout_names, sources=sources,
                             brand_name=brand_name)
    check_translations(project, verified.loaded, report)  # tagged "translation" already
    check_titles(catalogue_of(manifest, verified.loaded, sources), report, sources)
    if FILL.name not in skip:
        check_fill(project, verified.loaded, report, layout_names=layout_names,
                   brand_name=brand_name)
    results = {path.resolve(): LeafletResult(path) for path in sources or project.sources()}
    glossaries: dict[str, list[Term]] = {}
    for leaflet in verified.loaded:
        result = results.setdefault(leaflet.path.resolve(), LeafletResult(leaflet.path))
        result.leaflet = leaflet
        result.quality = check_quality(leaflet, config, today, report, skip)
        if leaflet.is_draft:
            report.note(leaflet.path, leaflet.key_lines.get("status", 1), "is a draft: "
                        "checked, but 'careleaf publish' publishes it only once approved")
        if PLAIN_LANGUAGE.name not in skip:
            if leaflet.lang not in glossaries:
                glossaries[leaflet.lang] = load_glossary(
                    glossary_path(project.source_dir, leaflet.lang), report)
            lint(leaflet, config.lint, glossaries[leaflet.lang], report)
        result.coverage = [c for c in verified.coverage
                           if owner(project, c.output) == (leaflet.lang, leaflet.id)]
    checks = [check.name for check in CHECKS if check.every_run and check.name not in skip]
    epubs = [path for path in verified.checked if path.suffix == ".epub"]
    if epubcheck:
        _tagged(report, EPUBCHECK, lambda sub: [run_epubcheck(p, sub) for p in epubs])
        checks.append(EPUBCHECK.name)
    if ace:
        _tagged(report, ACE, lambda sub: [run_ace(p, sub) for p in epubs])
        checks.append(ACE.name)
    # The configuration is read by several stages; say each of its problems once.
    report.diagnostics = list(dict.fromkeys(report.diagnostics))
    run = CheckRun(project, today, strict, checks, list(results.values()), report)
    complete = not skip and layout_names is None
    return run, _verdicts(manifest, verified.loaded, verified.checked, report, complete, today)


def _verdicts(manifest: Manifest, leaflets: list[Leaflet], checked: list[Path],
              report: Report, complete: bool, today: date) -> dict[str, Verdict]:
    """Each leaflet's verdict; an output passes when it was read back and nothing (no
    error, no staleness warning) was found at any file written for it."""
    troubled = {d.location.path.resolve() for d in report
                if d.severity in ("error", "warning")}
    passed = [output for output in checked if not troubled.intersection(
        path.resolve() for path in (output, *manifest.recorded_files(output)))]
    return {leaflet.key: verdict_of(manifest.project, manifest, leaflet, report, passed,
                                    complete=complete, today=today.isoformat())
            for leaflet in leaflets}


def _tagged(report: Report, check: Check, stage: Callable[[Report], T]) -> T:
    """Run ``stage`` with its own report, then add its findings marked as ``check``."""
    sub = Report()
    value = stage(sub)
    report.diagnostics.extend(replace(d, check=d.check or check.name) for d in sub)
    return value
