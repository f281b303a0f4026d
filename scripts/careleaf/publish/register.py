"""The leaflet register: every leaflet and language in one table, for information governance.

``careleaf register`` writes ``build/reports/register.csv`` (for spreadsheets and
tools) and ``build/reports/register.html`` (to read, sort and print for a meeting),
one row per source ``source/<lang>/<id>.md``: its document control (status, owner,
approval, review dates and the days left), its reading grade as ``careleaf check``
measures it, its translations and whether each is stale, how many of its outputs are
built and current, whether the publish gate lets it through today (``gate.decide_all``:
the answer ``careleaf publish`` would give, and why not) and what the download site
offers now (``archive.load_published``). A lead needs both: the site may still offer
what today's gate would refuse until ``publish`` runs again.

Rows come soonest review first, so overdue leaflets lead; a source with errors comes
first of all, with what its front matter still says, since nothing can be published
until it is fixed. The register is a report, not a gate: nothing in it is an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import jinja2
from babel import Locale, UnknownLocaleError

from careleaf import __version__
from careleaf.check.quality import check_quality
from careleaf.check.verdicts import load_verdicts
from careleaf.config import Config, load_config
from careleaf.design.brand import Brand, load_brand
from careleaf.design.layouts import Layout, load_layouts, select_layouts
from careleaf.errors import Report
from careleaf.files import write_all_atomic
from careleaf.outputs import Variant, output_path
from careleaf.pipeline.make import record_catalogues
from careleaf.pipeline.manifest import Manifest, toolchain_digest
from careleaf.pipeline.plan import output_looks, record_facts
from careleaf.pipeline.records import RENDER, SHAPE, shaped
from careleaf.project import Project
from careleaf.publish.archive import load_published
from careleaf.publish.gate import Decision, decide_all
from careleaf.source.frontmatter import FrontMatter, split
from careleaf.source.frontmatter import parse as parse_front_matter
from careleaf.source.load import load_leaflets, read_source
from careleaf.source.model import Leaflet
from careleaf.source.translations import Status, check_translations

CSV_NAME = "register.csv"
HTML_NAME = "register.html"
TEMPLATE = Path(__file__).with_name(HTML_NAME)

ReviewState = Literal["overdue", "due soon", "current", "unknown"]


@dataclass(frozen=True)
class Row:
    """One leaflet in one language, as the register shows it."""

    #: Project-relative POSIX path of the source.
    source: str
    id: str
    title: str
    language: str
    version: str
    #: ``approved`` or ``draft``, as the front matter says (even when it has errors).
    status: str
    owner: str
    approved_by: str
    approved_on: date | None
    reviewed: date | None
    next_review: date | None
    #: Days from ``today`` to the next review: negative when overdue.
    days_left: int | None
    review_state: ReviewState
    #: What ``check`` compares with the readability targets; None when no formula applies.
    reading_grade: float | None
    grade_note: str
    #: For a translation, the original's language.
    translation_of: str | None
    translations: str
    #: It is a stale translation (or one that does not match), or the original of one.
    stale: bool
    #: Its outputs (one per layout it is built in) that are built and current, of all.
    outputs_current: int
    outputs_total: int
    #: How many of the others are out of date and why, or not built ("" if none).
    outputs_note: str
    #: Whether ``careleaf publish`` would publish it today, and if not why not.
    publishable: bool
    why_not: str
    #: The version the download site offers now, and since when (None: not on the site).
    site_version: str | None
    site_since: str | None
    #: False when the source has errors (only what its front matter says is shown).
    loaded: bool = True

    @property
    def outputs(self) -> str:
        """``7 of 7 built and current``, then what is wrong with the others."""
        built = f"{self.outputs_current} of {self.outputs_total} built and current"
        return f"{built}; {self.outputs_note}" if self.outputs_note else built

    @property
    def on_site(self) -> str:
        """``version 1.1 since 2026-12-06`` (and the source's version if that is newer)."""
        if self.site_version is None:
            return "not on the site"
        newer = f" (the source is now {self.version})" if self.version \
            and self.version != self.site_version else ""
        return f"version {self.site_version} since {self.site_since}{newer}"

    @property
    def review(self) -> str:
        """The review in words: ``OVERDUE by 12 days``, ``due in 30 days``, ``in 354 days``."""
        days = self.days_left
        if days is None:
            return "next review date unknown"
        if days < 0:
            return f"OVERDUE by {_days(-days)}"
        if days == 0:
            return "due today"
        return f"due in {_days(days)}" if self.review_state == "due soon" else f"in {_days(days)}"

    @property
    def language_name(self) -> str:
        """The language's English name (``Arabic``), or "" if Babel does not know the tag."""
        try:
            return str(Locale.parse(self.language, sep="-").english_name or "")
        except (UnknownLocaleError, ValueError):
            return ""


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


@dataclass(frozen=True)
class Register:
    """Every row, soonest review first, and what they were judged against."""

    rows: tuple[Row, ...]
    today: date
    #: Whether ``today`` was given (``--today``) rather than read from the clock.
    today_given: bool
    generated: datetime
    organisation: str
    brand: str
    config: Config

    def count(self, test: Callable[[Row], bool]) -> int:
        return sum(1 for row in self.rows if test(row))

    @property
    def summary(self) -> dict[str, int]:
        """The figures a meeting starts from, by what they count."""
        return {
            # A source with errors is neither: its approval could not be read whole.
            "approved": self.count(lambda r: r.loaded and r.status == "approved"),
            "draft": self.count(lambda r: r.loaded and r.status != "approved"),
            "with errors": self.count(lambda r: not r.loaded),
            "overdue": self.count(lambda r: r.review_state == "overdue"),
            "due soon": self.count(lambda r: r.review_state == "due soon"),
            "stale translations": self.count(lambda r: r.stale and bool(r.translation_of)),
            "held back": self.count(lambda r: not r.publishable),
            "on the site": self.count(lambda r: r.site_version is not None),
        }


def gather(project: Project, report: Report, *, brand_name: str, today: date,
           today_given: bool = False) -> Register | None:
    """The register of every source of ``project``; None (with an error) without a brand."""
    brand = load_brand(project, brand_name, report)
    if brand is None:
        return None
    facts = _Facts(project, brand, today)
    decisions = decide_all(project, facts.manifest, load_verdicts(project, brand_name),
                           facts.layouts, brand_name, today)
    rows = sorted((facts.row(decision) for decision in decisions), key=_review_order)
    return Register(tuple(rows), today, today_given, datetime.now().astimezone(),
                    brand.organisation, brand_name, facts.config)


def _review_order(row: Row) -> tuple[bool, date, str, str]:
    # A source with errors first (nothing of it can be published till it is fixed),
    # then soonest review; a date that could not be read counts as the earliest.
    return (row.loaded, row.next_review or date.min, row.id, row.language)


class _Facts:
    """What the rows are made from, each read once: the sources, the manifest, the
    layouts and the looks of their outputs, the translations, the site's record."""

    def __init__(self, project: Project, brand: Brand, today: date) -> None:
        quiet = Report()  # the sources' and layouts' problems are build's and check's to say
        self.project, self.brand_name, self.today = project, brand.name, today
        self.config = load_config(project.root, quiet)
        self.available = load_layouts(project, quiet)
        self.layouts: list[Layout] = [layout for layout in select_layouts(
            project, quiet, None, self.available) if layout.format]
        self.manifest, self.toolchain = Manifest(project), toolchain_digest()
        self.looks = output_looks(project, brand, self.layouts, self.available)
        # Loaded here too, not only by the gate: a translation the gate refuses for not
        # matching its original still has its document control to show.
        self.leaflets = {leaflet.path.resolve(): leaflet
                         for leaflet in load_leaflets(project, quiet, project.sources())}
        self.translations = check_translations(project, self.leaflets.values(), Report())
        # Their shapes, and their catalogues' render shapes, so their outputs are judged
        # as a build judges them.
        record_facts(self.manifest, [*self.leaflets.values(), *(
            status.original for status in self.translations.values() if status.original)])
        record_catalogues(self.manifest, {leaflet.lang for leaflet in self.leaflets.values()})
        self.published = load_published(project, brand.name)

    def row(self, decision: Decision) -> Row:
        source = decision.source
        leaflet = self.leaflets.get(source.resolve())
        front = leaflet or _front_matter(self.project, source)
        days = (front.next_review - self.today).days if front.next_review else None
        translations, stale = self.translations_of(source, leaflet)
        site = self.published.get(f"{source.parent.name}/{source.stem}")
        grade, grade_note = self.grade(leaflet)
        current, total, note = self.outputs(source, leaflet)
        return Row(
            source=source.relative_to(self.project.root).as_posix(), id=source.stem,
            title=front.title, language=source.parent.name, version=front.version,
            status=front.status, owner=front.owner or "", approved_by=front.approved_by or "",
            approved_on=front.approved_on, reviewed=front.reviewed,
            next_review=front.next_review, days_left=days, review_state=self.review_state(days),
            reading_grade=grade, grade_note=grade_note, translation_of=front.translation_of,
            translations=translations, stale=stale, outputs_current=current,
            outputs_total=total, outputs_note=note, publishable=decision.published,
            why_not=decision.reason, site_version=site.version if site else None,
            site_since=site.since if site else None, loaded=leaflet is not None)

    def review_state(self, days: int | None) -> ReviewState:
        if days is None:
            return "unknown"
        if days < 0:
            return "overdue"
        return "due soon" if days <= self.config.review_warning_days else "current"

    def grade(self, leaflet: Leaflet | None) -> tuple[float | None, str]:
        """The reading grade ``check`` gives (its other findings are check's to say)."""
        if leaflet is None:
            return None, "not scored: the source has errors"
        scores = check_quality(leaflet, self.config, self.today, Report()).scores
        targets = self.config.readability
        if scores.grade is None:  # the check's note says why at length; here, in a few words
            return None, "no prose to score" if not scores.words else \
                "not scored: no validated grade formula for the language"
        if scores.grade > targets.error_grade:
            return scores.grade, f"above the limit of {targets.error_grade:g}"
        if scores.grade > targets.warn_grade:
            return scores.grade, f"above the target of {targets.warn_grade:g}"
        return scores.grade, f"target {targets.warn_grade:g} or below"

    def translations_of(self, source: Path, leaflet: Leaflet | None) -> tuple[str, bool]:
        """An original's translations, each current or stale; or what a translation is
        made from. True when one of them is stale (or does not match)."""
        if leaflet is None:
            return "", False
        status = self.translations.get(leaflet.path)
        if status is not None:
            return _made_from(status)
        mine = [s for s in self.translations.values() if s.original is not None
                and s.original.path.resolve() == source.resolve()]
        parts = [f"{s.leaflet.lang} ({_state(s)})" for s in
                 sorted(mine, key=lambda s: s.leaflet.lang)]
        return ", ".join(parts) or "none", any(s.outdated or s.failed for s in mine)

    def outputs(self, source: Path, leaflet: Leaflet | None) -> tuple[int, int, str]:
        """How many outputs are built and current, of how many; and what is wrong with
        the others: out of date (and what changed since they were built), or not built."""
        current, missing, why = 0, 0, []
        for layout in self.layouts:
            if leaflet is not None and not leaflet.wants(layout.name):
                continue
            target = output_path(self.project, source, layout, Variant(self.brand_name))
            changed = self.manifest.changed_inputs(
                target, self.looks.get((layout.name, False)), self.toolchain)
            if changed == ["never built"] or not target.is_file():
                missing += 1
            elif changed or self.manifest.damaged(target):
                why.append(_changed(changed))
            else:
                current += 1
        notes = [f"{len(why)} out of date ({', '.join(sorted(set(why)))})"] if why else []
        notes += [f"{missing} not built"] if missing else []
        return current, current + len(why) + missing, "; ".join(notes)


def _changed(changed: list[str]) -> str:
    """What made an output out of date, in a few words for the register."""
    if not changed:
        return "a file changed since it was built"
    if "careleaf" in changed:
        return "built by another version of careleaf"
    if "layout" in changed:
        return "layout or brand changed"
    kinds = {of.kind if (of := shaped(name)) else "" for name in changed}
    if kinds == {SHAPE}:
        return "its original's sections or version changed"
    if kinds == {RENDER}:
        return "its language's interface words changed"
    return "its source files changed"


def _made_from(status: Status) -> tuple[str, bool]:
    leaflet = status.leaflet
    made = f"translation of {leaflet.translation_of}, made from version " \
           f"{leaflet.original_version}"
    if status.original is None:
        return f"{made} (the original is missing or has errors)", True
    if status.outdated:
        return f"{made} (STALE: the original is now {status.original.version})", True
    return f"{made} ({_state(status)})", status.failed


def _state(status: Status) -> str:
    if status.outdated:
        return "STALE"
    return "does not match the original" if status.failed else "current"


def _front_matter(project: Project, source: Path) -> FrontMatter:
    """What a source with errors still says in its front matter (empty if nothing)."""
    quiet = Report()
    text = read_source(source, project, quiet)
    parts = split(text, source, quiet) if text is not None else None
    return parse_front_matter(parts[0], source, 2, quiet) if parts else FrontMatter()


# --- Writing -----------------------------------------------------------------------------

#: The CSV's columns, in order, and how each is read off a row.
COLUMNS: dict[str, Callable[[Row], object]] = {
    "id": lambda r: r.id,
    "title": lambda r: r.title,
    "language": lambda r: r.language,
    "version": lambda r: r.version,
    "status": lambda r: r.status,
    "owner": lambda r: r.owner,
    "approved_by": lambda r: r.approved_by,
    "approved_on": lambda r: r.approved_on,
    "reviewed": lambda r: r.reviewed,
    "next_review": lambda r: r.next_review,
    "days_left": lambda r: r.days_left,
    "review": lambda r: r.review,
    "reading_grade": lambda r: None if r.reading_grade is None else f"{r.reading_grade:.1f}",
    "translations": lambda r: r.translations,
    "outputs": lambda r: r.outputs,
    "publishable": lambda r: "yes" if r.publishable else "no",
    "why_not": lambda r: r.why_not,
    "on_site": lambda r: r.on_site,
    "source": lambda r: r.source,
}
#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection):
#: free text from a front matter ("=HYPERLINK(…)" as an owner) is kept as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(register: Register) -> str:
    """The register as CSV: a header row, then one row per leaflet and language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in register.rows:
        writer.writerow(_cell(read(row)) for read in COLUMNS.values())
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def html_text(register: Register) -> str:
    """The register as one self-contained page: no file or address outside it is used."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template(TEMPLATE.name).render(
        register=register, version=__version__)


def write_register(project: Project, register: Register) -> list[Path]:
    """Write both files, each whole, and both or neither; ``OSError`` if they cannot be.

    They go to ``build/reports/``, or ``build/brands/<name>/reports/`` for another brand:
    what is built and published differs by brand, so one must not overwrite the other's.
    The CSV starts with a byte-order mark: without it, Excel reads UTF-8 as the
    system's code page and garbles every non-Latin title (Arabic, Chinese).
    """
    folder = project.brand_dir(register.brand) / "reports"
    files = {folder / CSV_NAME: csv_text(register).encode("utf-8-sig"),
             folder / HTML_NAME: html_text(register).encode("utf-8")}
    write_all_atomic(files)
    return list(files)
