"""Project configuration: ``[tool.careleaf]`` in ``pyproject.toml``, or ``careleaf.toml``.

Only settings that belong to a whole catalogue live here: which layouts every
leaflet is built in by default, which sections a clinic requires (``see-a-doctor``
unless its configuration says otherwise), and the limits of the content quality
gates (readability targets, plain-language lint), and the extra heading words
``careleaf import`` recognises sections by (``[tool.careleaf.import.headings.<lang>]``).
Unknown keys are errors with a suggestion, like unknown front-matter keys, so a typo
never silently does nothing.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from careleaf.errors import Report

T = TypeVar("T", "Readability", "Lint")

KNOWN_KEYS = ("layouts", "required_sections", "review_warning_days", "readability", "lint",
              "import", "scheduler")
#: A Dask scheduler's address (``pipeline.cluster``), "local" for a cluster of this
#: machine's, or "none" for careleaf's own pool of workers.
SCHEDULER = re.compile(r"^(?:local|none|(?:tcp|tls)://\S+:\d+)$")
#: The sections ``careleaf import`` recognises from heading words: those
#: ``i18n.sections.HEADINGS`` lists (this module comes before i18n in the stage order,
#: so it names them itself; tests/ingest checks that the two lists agree).
IMPORT_SECTIONS = ("causes", "symptoms", "treatment", "see-a-doctor")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")
#: Required unless a project says otherwise (``required_sections = []`` requires none):
#: a leaflet must tell its reader when to see a doctor.
DEFAULT_REQUIRED_SECTIONS = ("see-a-doctor",)


@dataclass(frozen=True)
class Readability:
    """Health-material targets (grade 8 is the usual ceiling for patient leaflets)."""

    warn_grade: float = 8.0
    warn_smog: float = 9.0
    error_grade: float = 10.0


@dataclass(frozen=True)
class Lint:
    """Plain-language limits; going over one is a warning at the source line."""

    sentence_words: int = 25
    paragraph_sentences: int = 5
    heading_depth: int = 3
    #: Words in capitals in a row (``DO NOT STOP``) that read as shouting.
    capitals_run: int = 3


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    #: The layouts every leaflet is built in; None means every layout that has a format.
    layouts: tuple[str, ...] | None = None
    #: Section ids a clinic wants in every leaflet, besides causes and treatment.
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED_SECTIONS
    #: A review due within this many days is a warning (one already past is an error).
    review_warning_days: int = 90
    readability: Readability = field(default_factory=Readability)
    lint: Lint = field(default_factory=Lint)
    #: Extra heading words for ``careleaf import``: language -> section id -> headings,
    #: matched like ``i18n.sections``' own lists and tried before them.
    import_headings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    #: Where ``careleaf build`` runs its tasks (``SCHEDULER``); None: careleaf's own pool.
    scheduler: str | None = None
    #: The keys the configuration file set; the others are defaults (for messages that
    #: say where a rule comes from).
    settings: frozenset[str] = frozenset()


def load_config(root: Path, report: Report) -> Config:
    """``careleaf.toml`` if present, else ``pyproject.toml``'s ``[tool.careleaf]``."""
    candidates = ((root / "careleaf.toml", ()), (root / "pyproject.toml", ("tool", "careleaf")))
    for path, keys in candidates:
        if path.is_file():
            try:
                data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                report.error(path, None, f"cannot read configuration: {exc}")
                return Config(path)
            for key in keys:
                data = data.get(key, {}) if isinstance(data, dict) else {}
            if data or not keys:
                return _parse(path, data, report)
    return Config()


def _parse(path: Path, data: Any, report: Report) -> Config:
    if not isinstance(data, dict):
        report.error(path, None, "the careleaf configuration must be a table of settings")
        return Config(path)
    _unknown(path, data, KNOWN_KEYS, "", report)
    layouts = _names(path, data, "layouts", report)
    required = _names(path, data, "required_sections", report, may_be_empty=True)
    days = data.get("review_warning_days", 90)
    if not _number(days, integer=True):
        report.error(path, None, "'review_warning_days' must be a whole number of days")
        days = 90
    return Config(path, layouts or None,
                  DEFAULT_REQUIRED_SECTIONS if required is None else required, days,
                  _table(path, data, "readability", Readability, report),
                  _table(path, data, "lint", Lint, report),
                  _import_headings(path, data.get("import", {}), report),
                  _scheduler(path, data.get("scheduler"), report),
                  frozenset(key for key in data if key in KNOWN_KEYS))


def _scheduler(path: Path, value: Any, report: Report) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not SCHEDULER.match(value):
        report.error(path, None, f"'scheduler' must be a Dask scheduler's address such as "
                     f"\"tcp://10.0.0.5:8786\", \"local\" or \"none\", not {value!r}")
        return None
    return value


def _names(path: Path, data: dict[str, Any], key: str, report: Report, *,
           may_be_empty: bool = False) -> tuple[str, ...] | None:
    """The list of names under ``key``; None when it is not set or not a list of names.

    An empty list means "none" where ``may_be_empty`` (no section required); elsewhere
    (no layout at all) it is a mistake.
    """
    value = data.get(key)
    if value is None:
        return None
    if (not isinstance(value, list) or not (value or may_be_empty)
            or not all(isinstance(name, str) for name in value)):
        what = "layout names" if key == "layouts" else "section ids"
        report.error(path, None, f"'{key}' must be a list of {what}")
        return None
    return tuple(value)


def _table(path: Path, data: dict[str, Any], key: str, kind: type[T], report: Report) -> T:
    """A sub-table of numbers, each checked against the type of its default."""
    table = data.get(key, {})
    if not isinstance(table, dict):
        report.error(path, None, f"'{key}' must be a table, like [tool.careleaf.{key}]")
        return kind()
    known = tuple(f.name for f in fields(kind))
    _unknown(path, table, known, f"{key}.", report)
    values = {}
    for name in known:
        if name in table:
            integer = isinstance(getattr(kind(), name), int)
            if _number(table[name], integer=integer):
                values[name] = table[name]
            else:
                report.error(path, None, f"'{key}.{name}' must be a "
                             f"{'whole ' if integer else ''}number greater than 0")
    return kind(**values)


def _import_headings(path: Path, table: Any, report: Report
                     ) -> dict[str, dict[str, tuple[str, ...]]]:
    """``[tool.careleaf.import.headings.<lang>]``: section id -> extra heading words."""
    if not isinstance(table, dict):
        report.error(path, None, "'import' must be a table, like [tool.careleaf.import]")
        return {}
    _unknown(path, table, ("headings",), "import.", report)
    headings = table.get("headings", {})
    if not isinstance(headings, dict):
        report.error(path, None, "'import.headings' must be a table of languages, like "
                     "[tool.careleaf.import.headings.en]")
        return {}
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for lang, sections in headings.items():
        if not _LANG.match(lang) or not isinstance(sections, dict):
            report.error(path, None, f"'import.headings.{lang}' must be a language tag like "
                         "en or es with a table of section ids, like "
                         "[tool.careleaf.import.headings.en]")
            continue
        found[lang] = _section_headings(path, f"import.headings.{lang}", sections, report)
    return found


def _section_headings(path: Path, where: str, sections: dict[str, Any], report: Report
                      ) -> dict[str, tuple[str, ...]]:
    """One language's extra headings, each a non-empty list of non-empty texts."""
    _unknown(path, sections, IMPORT_SECTIONS, f"{where}.", report)
    found: dict[str, tuple[str, ...]] = {}
    for section_id, phrasings in sections.items():
        if section_id not in IMPORT_SECTIONS:
            continue
        if (not isinstance(phrasings, list) or not phrasings
                or not all(isinstance(p, str) and p.strip() for p in phrasings)):
            report.error(path, None, f"'{where}.{section_id}' must be a list of headings, "
                         'like ["what brings it on"]')
            continue
        found[section_id] = tuple(phrasings)
    return found


def _number(value: Any, *, integer: bool) -> bool:
    kinds = (int,) if integer else (int, float)
    return isinstance(value, kinds) and not isinstance(value, bool) and value > 0


def _unknown(path: Path, table: dict[str, Any], known: tuple[str, ...], prefix: str,
             report: Report) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, 1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            report.error(path, None, f"unknown careleaf setting '{prefix}{key}'{hint}")
