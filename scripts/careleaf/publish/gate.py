"""The publish gate: which leaflets patients may be given, and why the others may not.

A leaflet is published when all of these hold, checked in this order so the reason
given is the one a writer acts on first:

1. its source loads without errors;
2. it is approved (``status: approved``; a draft is held back with a note, not an
   error: drafts are expected);
3. it is not overdue for review on ``today`` (``--today`` in CI), and its approval
   is not dated in the future;
4. ``careleaf check`` has a verdict on it (``check.verdicts``) from a full run (no
   ``--skip``, no ``--layout``), made from the source as it is now;
5. that run found no error in it, its outputs or the project's shared files;
6. if the site published this version before, the text is the one approved then, or
   the approval is new (``approved_on``): an approval covers the text it approved;
7. every file it offers (each layout's output and imposed sheets) still has the
   bytes the check passed.

Every refusal is one diagnostic at the source line to change, ending "not published";
the site then drops the leaflet (see ``careleaf.publish.run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from careleaf.check.verdicts import Verdict
from careleaf.design.brand import Brand, language_name, load_brand
from careleaf.design.layouts import Layout
from careleaf.errors import Diagnostic, Location, Report, Severity, display_path
from careleaf.outputs import Variant, output_path
from careleaf.pipeline.make import publishable
from careleaf.pipeline.manifest import Manifest
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet

HELD = "not published"


@dataclass(frozen=True)
class Decision:
    """The gate's answer for one leaflet: published with ``files``, or why not."""

    source: Path
    leaflet: Leaflet | None
    #: None when published; else the diagnostic that says why not.
    refusal: Diagnostic | None = None
    #: The built files (resolved) the site may offer, when published.
    files: frozenset[Path] = frozenset()
    #: The hash of the source the check passed, when published.
    source_sha: str = ""

    @property
    def published(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        """Why it is held back, in a few words for the register ("" when published)."""
        if self.refusal is None:
            return ""
        return self.refusal.message.removesuffix(f"; {HELD}")


def refused(source: Path, line: int | None, message: str,
            severity: Severity = "error") -> Decision:
    """A leaflet that could not be loaded, or one held back for ``message``."""
    return Decision(source, None, Diagnostic(Location(source, line), f"{message}; {HELD}",
                                             severity, "publish"))


@dataclass(frozen=True)
class Previous:
    """The version of a leaflet the site published last: what its approval covered."""

    version: str
    approved_on: str
    #: The hash of its source then ("" in a record older than this field).
    source_sha: str


def decide(manifest: Manifest, leaflet: Leaflet, verdict: Verdict | None,
           layouts: list[Layout], brand_name: str, today: date,
           previous: Previous | None = None) -> Decision:
    """The gate for one loaded leaflet; ``previous`` is what the site published of it."""
    refusal = (_status(leaflet, today) or _verdict(manifest, leaflet, verdict)
               or _reapproval(leaflet, verdict, previous))
    if refusal is not None:
        return Decision(leaflet.path, leaflet, _at(leaflet, refusal))
    files, problem = _files(manifest, leaflet, verdict, layouts, brand_name)
    if problem:
        return Decision(leaflet.path, leaflet, _at(leaflet, (None, problem, "error")))
    assert verdict is not None
    return Decision(leaflet.path, leaflet, None, files, verdict.source_sha)


Refusal = tuple[int | None, str, Severity]


def _reapproval(leaflet: Leaflet, verdict: Verdict | None,
                previous: Previous | None) -> Refusal | None:
    """An approval covers the text it approved: a published leaflet changed since, under
    the same version and approval date, carries no approval of the change."""
    if (verdict is None or previous is None or not previous.source_sha
            or previous.version != leaflet.version
            or previous.approved_on != str(leaflet.approved_on)
            or previous.source_sha == verdict.source_sha):
        return None
    return (leaflet.key_lines.get("approved_on"), f"changed since version {leaflet.version} "
            f"was published with the approval of {previous.approved_on}: have the change "
            "approved (a new 'approved_on'; a new 'version' too for more than a correction)",
            "error")


def _at(leaflet: Leaflet, refusal: Refusal) -> Diagnostic:
    line, message, severity = refusal
    return Diagnostic(Location(leaflet.path, line), f"{message}; {HELD}", severity, "publish")


def _status(leaflet: Leaflet, today: date) -> Refusal | None:
    lines = leaflet.key_lines
    if leaflet.is_draft:
        return (lines.get("status", 1), "is a draft (approve it with 'status: approved', "
                "'owner', 'approved_by' and 'approved_on' when it is signed off)", "note")
    if leaflet.next_review < today:
        return (lines.get("next_review"), f"overdue for review since "
                f"{leaflet.next_review.isoformat()}: review it, then update 'reviewed', "
                "'next_review' and the approval", "error")
    if leaflet.approved_on is not None and leaflet.approved_on > today:
        return (lines.get("approved_on"), f"'approved_on' ({leaflet.approved_on}) is after "
                f"today ({today}): an approval cannot be dated in the future", "error")
    return None


def _verdict(manifest: Manifest, leaflet: Leaflet, verdict: Verdict | None) -> Refusal | None:
    name = leaflet.path.relative_to(manifest.project.root).as_posix()
    if verdict is None:
        return (None, "has not been through 'careleaf check': run it", "error")
    if verdict.source_sha != manifest.hash_input(name):
        return (None, "changed since 'careleaf check' last passed it: run 'careleaf check' "
                "again", "error")
    if not verdict.complete:
        return (None, "was last checked with --skip or --layout: run a full 'careleaf "
                "check'", "error")
    if verdict.errors:
        line, first = verdict.errors[0]
        more = f" (and {len(verdict.errors) - 1} more)" if len(verdict.errors) > 1 else ""
        return (line, f"'careleaf check' found errors: {first}{more}", "error")
    return None


def _files(manifest: Manifest, leaflet: Leaflet, verdict: Verdict | None,
           layouts: list[Layout], brand_name: str) -> tuple[frozenset[Path], str]:
    """The files to offer, each as the check passed it; or what is wrong with one."""
    assert verdict is not None
    files = set()
    for layout in (layout for layout in layouts if leaflet.wants(layout.name)):
        target = output_path(manifest.project, leaflet.path, layout, Variant(brand_name))
        recorded = manifest.entries.get(manifest.key(target))
        damaged = {path.resolve(): why for path, why in manifest.damaged(target)}
        for path in (target, *(target.with_name(n) for n in layout.extra_names(leaflet.id))):
            if path != target and not path.is_file():
                continue  # an imposed file this layout does not make
            record = recorded.files.get(manifest.key(path)) if recorded else None
            if path.resolve() in damaged or record is None:
                why = damaged.get(path.resolve(), "was never built")
                return frozenset(), f"{display_path(path)} {why}: run 'careleaf build'"
            if verdict.files.get(manifest.key(path)) != record.sha256:
                return frozenset(), (f"{display_path(path)} is not the file 'careleaf check' "
                                     "passed (it was built again since): run 'careleaf check'")
            files.add(path.resolve())
    return frozenset(files), "" if files else "has no built outputs: run 'careleaf build'"


def decide_all(project: Project, manifest: Manifest, verdicts: dict[str, Verdict],
               layouts: list[Layout], brand_name: str, today: date,
               previous: dict[str, Previous] | None = None) -> list[Decision]:
    """The gate for every source of the project, in source order; ``previous``: what
    the site published of each, by ``<lang>/<id>``."""
    previous = previous or {}
    quiet = Report()  # the sources' own problems are the build's and the check's to say
    sources = project.sources()
    loaded = load_leaflets(project, quiet, sources)
    brand = load_brand(project, brand_name, quiet)
    usable, translations = publishable(project, loaded, quiet, brand)
    by_path = {leaflet.path.resolve(): leaflet for leaflet in usable}
    unmatched = {path.resolve() for path, status in translations.items() if status.failed}
    loaded_paths = {leaflet.path.resolve() for leaflet in loaded}
    decisions = []
    for source in sources:
        leaflet = by_path.get(source.resolve())
        if leaflet is not None:
            decisions.append(decide(manifest, leaflet, verdicts.get(leaflet.key), layouts,
                                    brand_name, today, previous.get(leaflet.key)))
        else:
            decisions.append(refused(source, None, _unusable(source, unmatched, loaded_paths,
                                                             brand)))
    return decisions


def _unusable(source: Path, unmatched: set[Path], loaded: set[Path],
              brand: Brand | None) -> str:
    """Why a source the gate cannot even consider is held back, and what says more."""
    if source.resolve() in unmatched:
        return "does not match its original: run 'careleaf check' to see how"
    if (source.resolve() in loaded and brand is not None
            and (problem := brand.language_problem(source.parent.name))):
        return (f"the brand '{brand.name}' has no {language_name(source.parent.name)} "
                f"text for {', '.join(repr(key) for key in brand.missing(source.parent.name))}"
                f": add it to {problem.location}, then build and check again")
    if source.resolve() in loaded:  # it loads, but its language cannot be printed
        return (f"the catalogue of its language (layouts/messages/{source.parent.name}.po) "
                "is missing or incomplete: run 'careleaf messages' to see what it lacks")
    return "has errors: run 'careleaf check' to see them"
