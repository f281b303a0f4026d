"""The project: where sources, layouts and outputs live, and which sources exist.

A project is a folder with ``source/`` and ``layouts/``; outputs go to
``build/``. This module knows the folder conventions and nothing about content,
so every other stage asks it where things are instead of building paths itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from careleaf.errors import CareleafError, Diagnostic, Location
from careleaf.files import file_problem

#: A leaflet id: lowercase letters and digits, words joined by single hyphens.
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The BCP 47 tags careleaf accepts: language, optional script, optional region.
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")
#: Leaflets are a few pages; anything bigger is a mistake, not a leaflet.
MAX_SOURCE_BYTES = 1_000_000


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

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def sources(self) -> list[Path]:
        """Every leaflet source, ``source/<lang>/<id>.md``, in a stable order."""
        return sorted(p for p in self.source_dir.glob("*/*.md") if not p.name.startswith("."))

    def source_problem(self, path: Path) -> str | None:
        """Why ``path`` cannot be a leaflet source, found without opening it; None if it can.

        Every stage that reads sources asks this first: a FIFO, a device or a folder
        named ``x.md`` must be an error, not a hang, a memory blow-up or a traceback.
        """
        if (problem := file_problem(path, MAX_SOURCE_BYTES)) is not None:
            return problem
        if not path.resolve().is_relative_to(self.source_dir.resolve()):
            return "is a link to a file outside source/; sources must live in the project"
        return None

    def brand_dir(self, brand: str = "default") -> Path:
        """Where a brand's files go: ``build/``, or ``build/brands/<name>/`` for another."""
        return self.build_dir if brand == "default" else self.build_dir / "brands" / brand

    def output_dir(self, lang: str, leaflet_id: str, brand: str = "default") -> Path:
        """``build/<lang>/<id>``; a brand other than the default gets ``build/brands/<name>/…``."""
        return self.brand_dir(brand) / lang / leaflet_id
