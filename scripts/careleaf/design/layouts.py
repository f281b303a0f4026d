"""Layouts: folders under ``layouts/`` that say how a leaflet looks in one format.

A layout is ``layout.yml`` plus Jinja2 templates and CSS. ``extends`` names a
parent layout: templates are looked up in the layout first, then its parents,
and each parent's template is also reachable as ``<parent>/<file>`` so a child
can ``{% extends "base/leaflet.html" %}`` and override blocks. Stylesheets add
up along the chain, parent first. Everything a layout can say lives in its
folder; the code here only reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from careleaf.config import load_config
from careleaf.errors import Report
from careleaf.files import NAME_MAX
from careleaf.outputs import FORMATS
from careleaf.project import MAX_ID_LENGTH, Project
from careleaf.yamlfile import read_mapping

KNOWN_KEYS = ("name", "description", "format", "extends", "page_size", "stylesheets",
              "template", "output", "qr_size", "pad_to", "impose", "sheet", "panels",
              "fold_order", "imposed_output", "page_list", "type_sizes", "audience")
#: How pages can be put on sheets (see careleaf.formats.impose): a name a layout may choose.
IMPOSITIONS = ("saddle-stitch", "trifold")
#: Who a layout's files are for, as the site offers them: ``patients`` (read on a phone,
#: printed at home) or ``clinic`` (sheets to print, fold and staple).
AUDIENCES = ("patients", "clinic")
_UNITS = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0}
#: Printed size of the QR code to the ebook, quiet zone included, unless a layout says.
DEFAULT_QR_MM = 25.0
DEFAULT_TEMPLATE = "leaflet.html"
DEFAULT_OUTPUT = "{id}-{layout}.{ext}"


@dataclass(frozen=True)
class Layout:
    name: str
    folder: Path
    description: str
    #: ``pdf`` or ``epub``; None for a base layout that only exists to be extended.
    format: str | None
    page_size: str | None
    #: Width of the QR code to the ebook in millimetres (``qr_size: 20mm``).
    qr_size_mm: float
    template: str
    output: str
    #: This layout's folder first, then each parent's.
    chain: tuple[Path, ...]
    #: Every stylesheet of the chain, the base's first.
    stylesheets: tuple[Path, ...]
    #: Pad the page count with blank pages to a multiple of this (4 for a booklet).
    pad_to: int | None = None
    #: ``saddle-stitch``: also write pages two-up on sheets; ``trifold``: the output is
    #: the sheet itself, made of the rendered panel pages.
    impose: str | None = None
    #: Sheet size in points (width, height) for imposition.
    sheet: tuple[float, float] | None = None
    #: Panel widths in points, in reading order; the rendered pages must fit in them.
    panels: tuple[float, ...] = ()
    #: Panels left to right on each side of the sheet, numbered in reading order.
    fold_order: tuple[tuple[int, ...], ...] = ()
    imposed_output: str = "{id}-{layout}-imposed.{ext}"
    #: The PDF layout whose printed pages an ebook marks (``page_list: a4``).
    page_list: str | None = None
    #: Body type in points a tri-fold may set: (smallest, designed, largest); a long
    #: leaflet steps down before it is too long, a short one up (``formats/panels.py``).
    type_sizes: tuple[float, float, float] = (9.5, 9.5, 9.5)
    #: Who its files are for (``AUDIENCES``): the site offers a patient's under its
    #: downloads, the clinic's under "For printing in the clinic".
    audience: str = "patients"

    @property
    def extension(self) -> str:
        """The extension of this layout's format (``{ext}`` in its output names)."""
        return FORMATS[self.format].extension if self.format in FORMATS else ""

    def output_name(self, leaflet_id: str) -> str:
        return self.output.format(id=leaflet_id, layout=self.name, ext=self.extension)

    def extra_names(self, leaflet_id: str) -> list[str]:
        """Files written beside the output: the imposed sheets of a saddle-stitched booklet."""
        if self.impose != "saddle-stitch":
            return []
        return [self.imposed_output.format(id=leaflet_id, layout=self.name, ext=self.extension)]

    def digest(self, folders: dict[Path, str] | None = None) -> str:
        """A hash of every file in the chain's folders: changes when the look can change.
        ``folders`` keeps each folder's hash for the next layout of the same chain."""
        known = {} if folders is None else folders
        for folder in self.chain:
            if folder not in known:
                known[folder] = _folder_digest(folder)
        return hashlib.sha256("".join(known[folder] for folder in self.chain).encode()
                              ).hexdigest()


def _folder_digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(path.relative_to(folder.parent).as_posix().encode() + b"\0")
        sha.update(path.read_bytes())
    return sha.hexdigest()


def load_layouts(project: Project, report: Report) -> dict[str, Layout]:
    """Every layout folder of the project that is well formed, by name."""
    raw: dict[str, tuple[Path, dict[str, Any]]] = {}
    for config in sorted(project.layouts_dir.glob("*/layout.yml")):
        data = _read_config(config, report)
        if data is not None:
            raw[config.parent.name] = (config, data)
    layouts: dict[str, Layout] = {}
    for name in raw:
        layout = _resolve(name, raw, report, ())
        if layout is not None:
            layouts[name] = layout
    for layout in list(layouts.values()):
        if (layout.page_list and not _page_list_ok(layout, layouts, report)) \
                or not _names_fit(layout, report):
            del layouts[layout.name]
    return layouts


def _names_fit(layout: Layout, report: Report) -> bool:
    """The files a layout names for the longest id, and their proofs (``-999.png``), must
    fit the 255 bytes every file system allows in a name."""
    longest = "x" * MAX_ID_LENGTH
    names = [layout.output_name(longest), *layout.extra_names(longest)]
    size = max(len(f"{Path(name).stem}-999.png".encode()) for name in names)
    size = max(size, *(len(name.encode()) for name in names))
    if size <= NAME_MAX:
        return True
    report.error(layout.folder / "layout.yml", None, f"a leaflet with a {MAX_ID_LENGTH}-"
                 f"character id would get files named with {size} bytes, but file systems "
                 f"allow {NAME_MAX}: shorten the layout's folder name or its 'output' pattern")
    return False


def _page_list_ok(layout: Layout, layouts: dict[str, Layout], report: Report) -> bool:
    """An ebook's page list must come from a PDF layout whose pages are the printed pages."""
    source = layouts.get(layout.page_list or "")
    if source is not None and source.format == "pdf" and source.impose != "trifold":
        return True
    config = layout.folder / "layout.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("page_list:")), None)
    report.error(config, line, f"'page_list' names '{layout.page_list}', which is not a PDF "
                 "layout with one printed page per page (for example a4)")
    return False


def _read_config(config: Path, report: Report) -> dict[str, Any] | None:
    mapping = read_mapping(config, KNOWN_KEYS, report)
    if mapping is None:
        return None
    data, ok = mapping.data, True
    for key, value in data.items():
        if key == "stylesheets":
            ok &= _check_stylesheets(config, mapping.nodes[key], value, report)
        elif (problem := _CHECKS.get(key, _text_problem)(value)) is not None:
            report.error(config, mapping.line(key), f"'{key}' {problem}")
            ok = False
    if data.get("name", config.parent.name) != config.parent.name:
        report.error(config, mapping.line("name"), f"'name' is '{data['name']}' but the folder "
                     f"is '{config.parent.name}'")
        ok = False
    if data.get("format") not in (None, *FORMATS):
        report.error(config, mapping.line("format"),
                     f"'format' must be one of {', '.join(FORMATS)}")
        ok = False
    return data if ok else None


def _text_problem(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def length_pt(text: Any) -> float | None:
    """``210mm``, ``8.5in``, ``21cm`` or ``595pt`` in points; None if it is not a length."""
    if not isinstance(text, str):
        return None
    for unit, factor in _UNITS.items():
        if text.strip().endswith(unit):
            try:
                value = float(text.strip().removesuffix(unit))
            except ValueError:
                return None
            return value * factor if value > 0 else None
    return None


def _lengths_problem(value: Any, count: int | None, what: str) -> str | None:
    items = value.split() if isinstance(value, str) else value
    if (not isinstance(items, list) or not items or (count and len(items) != count)
            or any(length_pt(item) is None for item in items)):
        return f"must be {what}"
    return None


def _fold_order_problem(value: Any) -> str | None:
    sides = value if isinstance(value, list) else []
    numbers = sorted(n for side in sides if isinstance(side, list) for n in side)
    ok = len(sides) == 2 and numbers == list(range(1, len(numbers) + 1)) and numbers
    return None if ok else "must be two lists of panel numbers, like [[2, 6, 1], [3, 4, 5]]"


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "output": lambda v: _text_problem(v) or _output_problem(v),
    "imposed_output": lambda v: _text_problem(v) or _output_problem(v),
    "qr_size": lambda v: None if _millimetres(v) else "must be a length in millimetres, like 25mm",
    "pad_to": lambda v: None if isinstance(v, int) and not isinstance(v, bool) and v >= 2
    else "must be a whole number of pages, 2 or more",
    "impose": lambda v: None if v in IMPOSITIONS else f"must be one of {', '.join(IMPOSITIONS)}",
    "sheet": lambda v: _lengths_problem(v, 2, "a width and a height, like '297mm 210mm'"),
    "panels": lambda v: _lengths_problem(v, None, "a list of panel widths, like [100mm, 97mm]"),
    "fold_order": _fold_order_problem,
    "audience": lambda v: None if v in AUDIENCES else f"must be one of {', '.join(AUDIENCES)}",
    "type_sizes": lambda v: _lengths_problem(v, 3, "three type sizes, smallest, designed and "
                                             "largest, like [9pt, 9.5pt, 11pt]")
    or _ascending_problem(v),
}


def _ascending_problem(value: Any) -> str | None:
    items = value.split() if isinstance(value, str) else value
    sizes = [length_pt(item) or 0.0 for item in items]
    ok = sizes == sorted(sizes)
    return None if ok else "must go from the smallest size to the largest, like [9pt, 9.5pt, 11pt]"



def _millimetres(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    number = text.strip().removesuffix("mm").strip()
    try:
        value = float(number)
    except ValueError:
        return None
    return value if text.strip().endswith("mm") and value > 0 else None


def _output_problem(pattern: str) -> str | None:
    """Why an ``output`` pattern is unusable, or None: it must name one file."""
    try:
        name = pattern.format(id="leaflet", layout="layout", ext="pdf")
    except (KeyError, IndexError, ValueError) as exc:
        return f"can only use {{id}}, {{layout}} and {{ext}} ({exc!s} is not one of them)"
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        return "must be a file name, not a path"
    if "{id}" not in pattern:
        return "must contain {id}, or every leaflet would write the same file"
    return None


def _check_stylesheets(config: Path, node: yaml.Node, value: Any, report: Report) -> bool:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.error(config, node.start_mark.line + 1, "'stylesheets' must be a list of file names")
        return False
    ok = True
    folder = config.parent.resolve()
    for entry_node, entry in zip(node.value, value, strict=True):
        path = (folder / entry).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            report.error(config, entry_node.start_mark.line + 1,
                         f"stylesheet '{entry}' is not a file inside {config.parent.name}/")
            ok = False
    return ok


def _resolve(name: str, raw: dict[str, tuple[Path, dict[str, Any]]], report: Report,
             seen: tuple[str, ...]) -> Layout | None:
    config, data = raw[name]
    parent: Layout | None = None
    if (parent_name := data.get("extends")) is not None:
        if parent_name in (*seen, name):
            loop = " -> ".join((*seen, name, parent_name))
            report.error(config, None, f"'extends' makes a loop: {loop}")
            return None
        if parent_name not in raw:
            report.error(config, None, f"'extends' names '{parent_name}', which is not a layout "
                         "folder with a valid layout.yml")
            return None
        parent = _resolve(parent_name, raw, report, (*seen, name))
        if parent is None:
            return None
    def inherit(key: str, default: Any) -> Any:
        return data.get(key, getattr(parent, key) if parent else default)
    own_sheets = tuple(config.parent / s for s in data.get("stylesheets", []))
    return Layout(
        name=name, folder=config.parent, description=str(data.get("description", "")),
        format=inherit("format", None), page_size=inherit("page_size", None),
        qr_size_mm=(_millimetres(data["qr_size"]) or DEFAULT_QR_MM) if "qr_size" in data
        else parent.qr_size_mm if parent else DEFAULT_QR_MM,
        template=inherit("template", DEFAULT_TEMPLATE),
        # Never inherited: a child must not overwrite its parent's files.
        output=str(data.get("output", DEFAULT_OUTPUT)),
        chain=(config.parent, *(parent.chain if parent else ())),
        stylesheets=(*(parent.stylesheets if parent else ()), *own_sheets),
        pad_to=inherit("pad_to", None), impose=inherit("impose", None),
        sheet=_pair(data["sheet"]) if "sheet" in data else parent.sheet if parent else None,
        panels=tuple(length_pt(w) or 0.0 for w in data["panels"]) if "panels" in data
        else parent.panels if parent else (),
        fold_order=tuple(tuple(side) for side in data["fold_order"]) if "fold_order" in data
        else parent.fold_order if parent else (),
        imposed_output=str(data.get("imposed_output", "{id}-{layout}-imposed.{ext}")),
        page_list=inherit("page_list", None),
        type_sizes=_triple(data["type_sizes"]) if "type_sizes" in data
        else parent.type_sizes if parent else (9.5, 9.5, 9.5),
        audience=str(data.get("audience") or _audience(inherit("impose", None), parent)),
    )


def _audience(impose: str | None, parent: Layout | None) -> str:
    """Who a layout that does not say is for: one that imposes its pages makes sheets to
    fold (a booklet, a tri-fold), which patients cannot use; any other, as its parent."""
    return "clinic" if impose else parent.audience if parent else "patients"


def _triple(value: str | list[str]) -> tuple[float, float, float]:
    items = value.split() if isinstance(value, str) else value
    smallest, designed, largest = (length_pt(item) or 0.0 for item in items)
    return smallest, designed, largest


def _pair(text: str) -> tuple[float, float]:
    width, height = (length_pt(part) or 0.0 for part in text.split())
    return width, height


def select_layouts(project: Project, report: Report, names: list[str] | None,
                   available: dict[str, Layout] | None = None) -> list[Layout]:
    """The layouts to build: those named, else the configured ones, else every one."""
    available = load_layouts(project, report) if available is None else available
    names = names or list(load_config(project.root, report).layouts or ())
    if not names:
        return [layout for layout in available.values() if layout.format]
    chosen = []
    for name in names:
        layout = available.get(name)
        if layout is None or not layout.format:
            buildable = ", ".join(n for n, lay in available.items() if lay.format)
            report.error(project.layouts_dir / name, None,
                         f"no buildable layout '{name}' (available: {buildable})")
        else:
            chosen.append(layout)
    return chosen
