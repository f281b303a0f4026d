"""The publish orchestrator: gate every leaflet, keep what leaves, write and read the site.

``make`` runs ``build``, then ``check`` (which records what it passed, see
``check.verdicts``), then ``publish``. Read top to bottom, ``publish`` is: load the
brand and layouts; ask the gate about every leaflet (``gate``), saying once why each
one held back is; keep each published version about to leave the site in the archive
(``archive``); write the site of exactly what the gate let through
(``site.update``, with a ``Listing``); read the site back (``site.check``); remember
what is now published. A leaflet refused is dropped from the site, never left there
as it was: a patient must not be handed a version the clinic's own rules now refuse.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from careleaf.check.verdicts import load_verdicts
from careleaf.design.brand import load_brand
from careleaf.design.layouts import load_layouts, select_layouts
from careleaf.errors import Report
from careleaf.files import writing_under
from careleaf.pipeline.manifest import Manifest
from careleaf.project import Project
from careleaf.publish.archive import (
    Published,
    archive_superseded,
    load_published,
    now_published,
    save_published,
)
from careleaf.publish.gate import Decision, decide_all
from careleaf.site.check import check_site
from careleaf.site.model import SITE_LAYOUT, Listing, site_dir
from careleaf.site.update import build_site


@dataclass
class PublishResult:
    decisions: list[Decision] = field(default_factory=list)
    site: Path | None = None

    @property
    def published(self) -> list[Decision]:
        return [decision for decision in self.decisions if decision.published]


def publish(project: Project, report: Report, *, brand_name: str, today: date) -> PublishResult:
    """Publish what the gate lets through to the site of ``brand_name``."""
    result = PublishResult()
    available = load_layouts(project, report)
    brand = load_brand(project, brand_name, report)
    if brand is None:
        return result
    layouts = [layout for layout in select_layouts(project, report, None, available)
               if layout.format]
    manifest = Manifest(project)
    before = load_published(project, brand_name)
    result.decisions = decide_all(project, manifest, load_verdicts(project, brand_name),
                                  layouts, brand_name, today,
                                  {key: p.previous() for key, p in before.items()})
    report.diagnostics.extend(d.refusal for d in result.decisions if d.refusal)
    folder = result.site = site_dir(project, brand_name)
    after = now_published(before, result.decisions, today)
    by_key = {d.leaflet.key: d for d in result.decisions if d.leaflet is not None}
    with writing_under(project.brand_dir(brand_name)):
        if not archive_superseded(project, brand_name, folder, before, after, by_key, today,
                                  report):
            return result
        listing = Listing({d.source.resolve(): d.files for d in result.published})
        if build_site(project, report, brand, layouts, site_layout=available.get(SITE_LAYOUT),
                      listing=listing) is None:
            save_published(project, brand_name, _withdraw(folder, before, after, report))
            return result
        check_site(project, report, brand_name, listing)
        save_published(project, brand_name, after)
    return result


def _withdraw(folder: Path, before: dict[str, Published], after: dict[str, Published],
              report: Report) -> dict[str, Published]:
    """The site could not be rewritten: still take down every version leaving it (kept in
    the archive already), so nothing refused stays offered; what is left published."""
    kept = {}
    for key, old in before.items():
        if key in after and after[key].version == old.version:
            kept[key] = old
        else:
            shutil.rmtree(folder / key, ignore_errors=True)
    report.error(folder, None, "could not be rewritten (see the errors above): the "
                 "leaflets withdrawn or replaced were taken off it, and what the gate newly "
                 "lets through appears once it can be written")
    return kept
