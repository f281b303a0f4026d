"""The check orchestrator: every gate ``careleaf check`` runs, in one readable order.

Load and validate the sources; compare each translation with its original
(``translations``: the same section and item ids, and the original's version);
prove each output holds every cause and treatment (``completeness``), is still what
the build wrote, and that every other file written for it (imposed sheets,
proofs) reads back whole (``written``), and that the ebook's page list matches
the print (``page_list``); measure each leaflet against the content gates
(``quality``: review dates, required sections, readability) and the
plain-language lint; read the download site back, whose every download must be a
file read back here; then the slow external validators, EPUBCheck and DAISY Ace,
when asked for. Each stage's diagnostics are tagged with the check that found
them, so ``reports`` can show one line per leaflet and check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from careleaf.check.ace import run_ace
from careleaf.check.completeness import check as check_outputs
from careleaf.check.epubcheck import run_epubcheck
from careleaf.check.gates import ACE, CHECKS, EPUBCHECK, PLAIN_LANGUAGE, SITE, TRANSLATION, Check
from careleaf.check.lint import Term, glossary_path, lint, load_glossary
from careleaf.check.quality import check_quality
from careleaf.check.reports import CheckRun, LeafletResult
from careleaf.config import load_config
from careleaf.errors import Report
from careleaf.outputs import owner
from careleaf.project import Project
from careleaf.site.check import ReadBack, check_site
from careleaf.source.translations import check_translations

if TYPE_CHECKING:
    from careleaf.site.check import ReadBack

T = TypeVar("T")


def run_checks(project: Project, report: Report, *, today: date, strict: bool = False,
               layout_names: list[str] | None = None, sources: list[Path] | None = None,
               brand_name: str = "default", epubcheck: bool = False, ace: bool = False,
               skip: set[str] | None = None) -> tuple[CheckRun, int]:
    """Every check on ``sources`` (default: all) but those in ``skip``; the run, and
    the number of site files read."""
    skip = skip or set()
    config = load_config(project.root, report)
    verified = check_outputs(project, report, layout_names=layout_names, sources=sources,
                             brand_name=brand_name)
    check_translations(project, verified.loaded, report)  # tagged "translation" already
    results = {path.resolve(): LeafletResult(path) for path in sources or project.sources()}
    glossaries: dict[str, list[Term]] = {}
    for leaflet in verified.loaded:
        result = results.setdefault(leaflet.path.resolve(), LeafletResult(leaflet.path))
        result.leaflet = leaflet
        result.quality = check_quality(leaflet, config, today, report, skip)
        if PLAIN_LANGUAGE.name not in skip:
            if leaflet.lang not in glossaries:
                glossaries[leaflet.lang] = load_glossary(
                    glossary_path(project.source_dir, leaflet.lang), report)
            lint(leaflet, config.lint, glossaries[leaflet.lang], report)
        result.coverage = [c for c in verified.coverage
                           if owner(project, c.output) == (leaflet.lang, leaflet.id)]
    checks = [check.name for check in CHECKS if check.every_run and check.name not in skip]
    # A source that does not load, or a translation that does not match its original,
    # is one the site leaves out: it need not be listed.
    broken = {d.location.path.resolve() for d in report.errors
              if d.check in ("", TRANSLATION.name)}
    # Every download must be a file read back above; with --layout, of those layouts.
    read = ReadBack(verified.read, None if layout_names is None else verified.scope)
    site_files = _tagged(report, SITE, lambda sub: _check_site(project, sub, brand_name,
                                                              sources, broken, read))
    if site_files:
        checks.append(SITE.name)
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
    return run, site_files


def _check_site(project: Project, report: Report, brand_name: str,
                sources: list[Path] | None, broken: set[Path], read: ReadBack) -> int:
    return check_site(project, report, brand_name, sources, broken, read)


def _tagged(report: Report, check: Check, stage: Callable[[Report], T]) -> T:
    """Run ``stage`` with its own report, then add its findings marked as ``check``."""
    sub = Report()
    value = stage(sub)
    report.diagnostics.extend(replace(d, check=d.check or check.name) for d in sub)
    return value
