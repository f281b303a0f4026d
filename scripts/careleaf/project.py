"""The project: where sources, layouts and outputs live, and which sources exist.

A project is a folder with ``source/`` and ``layouts/``; outputs go to
``build/``. This module knows the folder conventions and nothing about content,
so every other stage asks it where things are instead of building paths itself,
and whether a path can be a source at all (a regular file inside ``source/``, of
a sane size, with an id short enough to name its outputs), before opening it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from careleaf.errors import CareleafError, Diagnostic, Location
from careleaf.files import NAME_MAX, file_problem

#: A leaflet id: lowercase letters and digits, words joined by single hyphens.
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Folders of a language on the download site (its A-Z, topics and search), which a
#: leaflet's folder, ``<lang>/<id>/``, must not be.
SITE_FOLDERS = frozenset({"a-z", "topics", "search"})
#: The BCP 47 tags careleaf accepts: language, optional script, optional region.
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")
#: Leaflets are a few pages; anything bigger is a mistake, not a leaflet.
MAX_SOURCE_BYTES = 1_000_000
#: The longest leaflet id: its outputs are named ``<id>-<layout>…``, their proofs
#: ``<id>-<layout>-<page>.png``, and a file name may be at most 255 bytes.
MAX_ID_LENGTH = 100



def topic_slug(keyword: str) -> str:
    """A keyword as a folder name: its letters and digits (of any script) in lower case,
    runs of anything else one hyphen: ``Back pain`` is ``back-pain``, ``ألم الظهر``
    ``ألم-الظهر``. The site's topic pages are ``<lang>/topics/<slug>/``
    (linked percent-encoded); the catalogue check groups keywords by it too."""
    folded = unicodedata.normalize("NFKC", keyword).casefold()
    return re.sub(r"[\W_]+", "-", folded).strip("-") or "topic"


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path) -> Project:
        """The nearest folder at or above ``start`` that has ``source/`` and ``layouts/``."""
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / "source").is_dir() and (folder / "layouts").is_dir():
                return cls(folder)
        raise CareleafError(
            Diagnostic(
                Location(start),
                "not inside a careleaf project (no folder with both source/ and layouts/)",
            )
        )

    # Made once: a build asks for them thousands of times (once or more per output).
    @cached_property
    def source_dir(self) -> Path:
        return self.root / "source"

    @cached_property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @cached_property
    def build_dir(self) -> Path:
        return self.root / "build"

    def sources(self) -> list[Path]:
        """Every leaflet source, ``source/<lang>/<id>.md``, in a stable order."""
        return sorted(p for p in self.source_dir.glob("*/*.md") if not p.name.startswith("."))

    def source_problem(self, path: Path) -> str | None:
        """Why ``path`` cannot be a leaflet source, found without opening it; None if it can.

        Every stage that reads sources asks this first: a FIFO, a device or a folder
        named ``x.md`` must be an error, not a hang, a memory blow-up or a traceback;
        an id too long for the names of its outputs is refused before any is made.
        """
        if (problem := id_length_problem(path.stem)) is not None:
            return problem
        if os.path.isdir(path):
            return ("is a folder, not a file; a source is a file source/<lang>/<id>.md: "
                    "rename the folder so that its name does not end in .md")
        if (problem := file_problem(path)) is not None:
            return problem
        return _size_problem(path) or self._outside_problem(path)

    def _outside_problem(self, path: Path) -> str | None:
        folder = path.parent
        # source/<lang>/<id>.md, neither it nor its folder a link: inside source/ wherever
        # that leads, known from two lstat calls, not the dozen of resolving both paths
        # (asked of every source by every build).
        if folder.parent == self.source_dir and folder.name != ".." \
                and not os.path.islink(path) and not os.path.islink(folder):
            return None
        if path.resolve().is_relative_to(self.source_dir.resolve()):
            return None
        return "is a link to a file outside source/; sources must live in the project"

    def brand_dir(self, brand: str = "default") -> Path:
        """Where a brand's files go: ``build/``, or ``build/brands/<name>/`` for another."""
        return self.build_dir if brand == "default" else self.build_dir / "brands" / brand

    def output_dir(self, lang: str, leaflet_id: str, brand: str = "default") -> Path:
        """``build/<lang>/<id>``; a brand other than the default gets ``build/brands/<name>/…``."""
        return self.brand_dir(brand).joinpath(lang, leaflet_id)


def id_length_problem(leaflet_id: str) -> str | None:
    """Why ``leaflet_id`` is too long for the names made from it (in UTF-8 bytes), or None."""
    size = len(os.fsencode(leaflet_id))
    if size <= MAX_ID_LENGTH:
        return None
    length = f"{size} characters" if leaflet_id.isascii() else f"{size} bytes long in UTF-8"
    return (f"the id is {length}; an id may be at most {MAX_ID_LENGTH} characters (the "
            f"names of its outputs are made from it, and a file name may be at most "
            f"{NAME_MAX} bytes); rename the file")


def _size_problem(path: Path) -> str | None:
    """Why a regular file is too big to be a source (from ``stat``), or None."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if size <= MAX_SOURCE_BYTES:
        return None
    return f"file is {size:,} bytes; a leaflet source may be at most {MAX_SOURCE_BYTES:,} bytes"
