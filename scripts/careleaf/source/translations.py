"""Translations: each translated source compared with the original it was made from.

A translation is ``source/<lang>/<id>.md`` with ``translation_of: <the original's
language>`` and ``original_version: <the original's version it was made from>``.
Ids are the same in every language (only heading text is translated), so the
translation must have the original's sections, each with the original's items: a
missing or extra one is an error at the translation that names both files and
lines. When the original's ``version`` has moved on, the translation is outdated: a
warning (fatal with ``--strict``) that, when the original's git history has the version
the translation was made from, names the sections and items changed since (``history``,
``diff``); its differences from today's original are warnings too, since they are what
the translator has yet to catch up with. The original is loaded here when the run did
not load it, and a broken original is said once, at the translation, instead of in
every comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from careleaf.errors import Diagnostic, Report, display_path
from careleaf.project import Project
from careleaf.source.diff import compare
from careleaf.source.history import leaflet_at_version
from careleaf.source.load import load_leaflet
from careleaf.source.model import Leaflet, Section

CHECK = "translation"
SAME_IDS = "ids are the same in every language (only heading text is translated)"


@dataclass(frozen=True)
class Status:
    """One translation against its original."""

    leaflet: Leaflet
    #: None when it is missing, has errors or is a translation itself (an error said so).
    original: Leaflet | None
    #: The original's ``version`` is no longer the translation's ``original_version``.
    outdated: bool
    #: Everything found: ``failed`` when any of it is an error.
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def check_translations(project: Project, leaflets: Iterable[Leaflet], report: Report
                       ) -> dict[Path, Status]:
    """Each translation among ``leaflets`` compared with its original, by source path.

    Originals among ``leaflets`` are used as they are; others are loaded (once each),
    their own errors left to a run that builds or checks them.
    """
    leaflets = list(leaflets)
    originals = _Originals(project, {leaflet.path.resolve(): leaflet for leaflet in leaflets})
    statuses = {}
    for leaflet in leaflets:
        if leaflet.translation_of is not None:
            statuses[leaflet.path] = _check(leaflet, originals)
            report.diagnostics.extend(statuses[leaflet.path].diagnostics)
    return statuses


class _Originals:
    """The originals of a run: those it loaded, and others loaded once on demand."""

    def __init__(self, project: Project, loaded: dict[Path, Leaflet]) -> None:
        self.project, self.loaded = project, loaded
        self.problems: dict[Path, list[Diagnostic]] = {}

    def get(self, path: Path) -> tuple[Leaflet | None, list[Diagnostic]]:
        """The original at ``path``, or None and why it could not be loaded."""
        key = path.resolve()
        if key not in self.loaded and key not in self.problems:
            problems = Report()
            original = load_leaflet(path, self.project, problems)
            if original is None:
                self.problems[key] = problems.errors
            else:
                self.loaded[key] = original
        return self.loaded.get(key), self.problems.get(key, [])


def _check(leaflet: Leaflet, originals: _Originals) -> Status:
    """The translation against its original: outdated or not, and every difference."""
    found = Report()
    original = _original(leaflet, originals, found)
    if original is None:
        return Status(leaflet, None, False, tuple(found.diagnostics))
    outdated = original.version != leaflet.original_version
    if outdated:
        found.warning(leaflet.path, leaflet.key_lines.get("original_version"),
                      f"translation of version {leaflet.original_version}, but "
                      f"{display_path(original.path)} is now version {original.version} "
                      f"(line {original.key_lines.get('version')})"
                      f"{_changes_since(leaflet, original, originals.project)}; update the "
                      "translation and its 'original_version'", CHECK)
    # An outdated translation was made from another text than today's original, so its
    # differences are what the translator has to catch up with, not mistakes.
    _Comparison(leaflet, original, found.warning if outdated else found.error).run()
    return Status(leaflet, original, outdated, tuple(found.diagnostics))


def _changes_since(translation: Leaflet, original: Leaflet, project: Project) -> str:
    """``; since version 1.0, treatment/stretching changed``: what the original's git history
    says changed since the version the translation was made from, or nothing without it."""
    version = translation.original_version
    earlier = leaflet_at_version(original.path, version, project) if version else None
    if earlier is None:
        return ""
    changes = compare(earlier, original).changes
    if not changes:
        return f"; since version {version}, only the original's front matter changed"
    said: dict[str, list[str]] = {}
    for change in changes:
        verb = next(kind for kind in ("added", "removed", "changed", "moved")
                     if kind in change.kinds)
        said.setdefault(verb, []).append(change.name)
    listed = [f"{_and(names)} {_VERBS[verb][len(names) > 1]}" for verb, names in said.items()]
    return f"; since version {version}, {_and(listed)}"


_VERBS = {"added": ("was added", "were added"), "removed": ("was removed", "were removed"),
          "changed": ("changed", "changed"), "moved": ("moved", "moved")}
#: Names listed in one message at most; ``careleaf diff`` lists them all.
_MAX_NAMES = 8


def _and(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``; a long list is cut short after ``_MAX_NAMES``."""
    if len(names) > _MAX_NAMES:
        names = [*names[:_MAX_NAMES], f"{len(names) - _MAX_NAMES} more"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _original(leaflet: Leaflet, originals: _Originals, report: Report) -> Leaflet | None:
    """The original the translation names, or None after an error saying why not."""
    path, line = leaflet.original_path, leaflet.key_lines.get("translation_of")
    assert path is not None
    names = f"'translation_of' names {leaflet.translation_of}, but {display_path(path)}"
    if not path.exists():  # a FIFO or a folder there is the loader's to say what it is
        report.error(leaflet.path, line, f"{names} does not exist", CHECK)
        return None
    original, problems = originals.get(path)
    if original is None:
        first = problems[0] if problems else None
        at = f" at line {first.location.line}" if first and first.location.line else ""
        report.error(leaflet.path, line, f"{names} has {len(problems)} error(s), so this "
                     "translation cannot be compared with it; fix the original first"
                     + (f" (the first{at}: {first.message})" if first else ""), CHECK)
        return None
    if original.translation_of is not None:
        report.error(leaflet.path, line, f"{names} is itself a translation (of "
                     f"{original.translation_of}); name the language of the original, "
                     f"{original.translation_of}", CHECK)
        return None
    return original


Finding = Callable[[Path, int | None, str, str], None]


class _Comparison:
    """The translation's sections and items against the original's, one finding each."""

    def __init__(self, translation: Leaflet, original: Leaflet, finding: Finding) -> None:
        self.translation, self.original, self.finding = translation, original, finding
        self.shown = display_path(original.path)
        self.ours = {s.id: s for s in translation.sections}
        self.theirs = {s.id: s for s in original.sections}
        #: Where each item is: its section and line.
        self.our_items = _items(translation.sections)
        self.their_items = _items(original.sections)

    def say(self, line: int | None, message: str) -> None:
        self.finding(self.translation.path, line, message, CHECK)

    def run(self) -> None:
        for section in self.original.sections:
            self.missing(section)
        for section in self.translation.sections:
            self.extra(section)

    def missing(self, section: Section) -> None:
        ours = self.ours.get(section.id)
        if ours is None:
            # Where a missing required section is reported: at the start of the body.
            start = self.translation.overview_located[:1]
            self.say(start[0].line if start else None, f"section '{section.id}' "
                     f"({self.shown}:{section.line}) is missing from this translation")
            return
        for item in section.items:
            where = self.our_items.get(item.id)
            # One moved to another of the original's sections is said once, as moved.
            if where is None or where[0] not in self.theirs:
                self.say(ours.line, f"item '{item.id}' of section '{section.id}' "
                         f"({self.shown}:{item.line}) is missing from this translation")

    def extra(self, section: Section) -> None:
        theirs = self.theirs.get(section.id)
        if theirs is None:
            self.say(section.line, f"section '{section.id}' is not in the original "
                     f"{self.shown}; {SAME_IDS}")
            return
        for item in section.items:
            where = self.their_items.get(item.id)
            if where is None:
                self.say(item.line, f"item '{item.id}' is not in the original: section "
                         f"'{section.id}' ({self.shown}:{theirs.line}) has no such item; "
                         f"{SAME_IDS}")
            elif where[0] != section.id:
                self.say(item.line, f"item '{item.id}' is in section '{section.id}' here, "
                         f"but in section '{where[0]}' in the original ({self.shown}:"
                         f"{where[1]}); an item stays in its section in every language")


def _items(sections: Iterable[Section]) -> dict[str, tuple[str, int]]:
    return {item.id: (section.id, item.line) for section in sections for item in section.items}
