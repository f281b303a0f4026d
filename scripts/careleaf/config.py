"""Project configuration: ``[tool.careleaf]`` in ``pyproject.toml``, or ``careleaf.toml``.

Only settings that belong to a whole catalogue live here, such as which layouts
every leaflet is built in by default. Unknown keys are errors with a
suggestion, like unknown front-matter keys, so a typo never silently does nothing.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careleaf.errors import Report

KNOWN_KEYS = ("layouts",)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    #: The layouts every leaflet is built in; None means every layout that has a format.
    layouts: tuple[str, ...] | None = None


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
    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, 1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            report.error(path, None, f"unknown careleaf setting '{key}'{hint}")
    layouts = data.get("layouts")
    if layouts is not None and (not isinstance(layouts, list) or not layouts
                                or not all(isinstance(name, str) for name in layouts)):
        report.error(path, None, "'layouts' must be a list of layout names")
        layouts = None
    return Config(path, tuple(layouts) if layouts else None)
