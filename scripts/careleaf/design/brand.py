"""Brands: the clinic a leaflet is printed for (name, contacts, colours, logo, ebook site).

A brand is ``layouts/brands/<name>.yml`` plus its logo. Every printed layout shows
its contact block and its urgent-help line, its colours reach the stylesheets as
CSS variables, and its ``base_url`` is where the QR code sends readers for the
ebook. Colours are checked against WCAG AA (4.5:1) before anything is rendered,
so a clinic cannot print a leaflet its patients cannot read.

Print-shop files (``build --print-ready``) are CMYK for one press. The brand says how:
``cmyk`` gives the designer's CMYK for its colours (percentages, used as they are in
those files; the RGB ``colours`` stay for screens), ``print_profile`` the ICC profile
of the press, which the clinic's print shop supplies (a file beside the brand), and
``print_condition`` the printing condition that profile characterises (``FOGRA39``…).
Without a profile the files are made for ``DEFAULT_PRINT_PROFILE``, a generic one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from careleaf.design.contrast import MIN_CONTRAST, contrast_ratio, parse_colour
from careleaf.errors import Report
from careleaf.project import ID_RE, MAX_ID_LENGTH, Project
from careleaf.yamlfile import Mapping, read_mapping, unknown_key

DEFAULT_BRAND = "default"
REQUIRED = ("organisation", "phone", "urgent", "base_url")
KNOWN = (*REQUIRED, "logo", "colours", "address", "website", "feedback", "cmyk",
         "print_profile", "print_condition")
COLOURS = {
    "primary": "#0a5561",            # headings, rules, the title band
    "on_primary": "#ffffff",         # text on the title band
    "text": "#1b1b1b",
    "background": "#ffffff",
    "tint": "#eef5f6",               # cards behind each cause and treatment
    "accent": "#7a4600",             # the 'see a doctor' heading and border
    "accent_background": "#fff4e0",  # the 'see a doctor' box
}
#: Foreground on background pairs that carry text somewhere in the layouts.
PAIRS = (("text", "background"), ("text", "tint"), ("on_primary", "primary"),
         ("primary", "background"), ("accent", "accent_background"),
         ("text", "accent_background"))
LOGO_TYPES = (".svg", ".png")
#: The press profile of a brand that names none: Ghostscript's generic coated-offset
#: CMYK profile ("Artifex CMYK SWOP Profile"), which Debian's ``libgs-common`` installs
#: with the ``ghostscript`` package (scripts/system-deps.sh). It is read from the system
#: at build time, never copied into a project: see ``careleaf.formats.fetcher`` for why.
DEFAULT_PRINT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
PROFILE_TYPES = (".icc", ".icm")
#: Most presses take at most this much ink (C + M + Y + K, in percent) in one spot.
MAX_TOTAL_INK = 300
CMYK = tuple[float, float, float, float]


@dataclass(frozen=True)
class Brand:
    name: str
    path: Path
    organisation: str
    phone: str
    urgent: str
    base_url: str
    address: str = ""
    website: str = ""
    feedback: str = ""
    #: Project-relative POSIX path of the logo, for templates (documents see the project).
    logo: str | None = None
    colours: dict[str, str] = field(default_factory=lambda: dict(COLOURS))
    #: The designer's CMYK (0 to 1) for some of ``colours``, for print-shop files.
    cmyk: dict[str, CMYK] = field(default_factory=dict)
    #: Project-relative POSIX path of the press's ICC profile; None: the default one.
    print_profile: str | None = None
    #: The printing condition ``print_profile`` characterises, as registered at
    #: color.org (``FOGRA39``, ``CGATS TR 006``…); empty: a custom one.
    print_condition: str = ""

    def ebook_url(self, lang: str, leaflet_id: str) -> str:
        return self.download_url(lang, leaflet_id, f"{leaflet_id}.epub")

    def download_url(self, lang: str, leaflet_id: str, file_name: str) -> str:
        """Where the download site offers one of a leaflet's files."""
        return f"{self.base_url.rstrip('/')}/{lang}/{leaflet_id}/{file_name}"

    def css_variables(self) -> str:
        """``--primary: #0a5561; …`` for a ``:root`` rule (values are checked colours)."""
        return " ".join(f"--{key.replace('_', '-')}: {value};"
                        for key, value in sorted(self.colours.items()))

    def print_variables(self) -> str:
        """``--primary: device-cmyk(0.9 0.25 0.3 0.6) !important; …``: the colours the
        brand gives in CMYK, for print-shop files. Important: WeasyPrint gives careleaf's
        own stylesheets a user's precedence, below the document's ``css_variables``."""
        return " ".join(f"--{key.replace('_', '-')}: device-cmyk("
                        f"{' '.join(f'{part:g}' for part in value)}) !important;"
                        for key, value in sorted(self.cmyk.items()))

    def print_profile_path(self, root: Path) -> Path:
        """The ICC profile of the press that print-shop files are made for."""
        return root / self.print_profile if self.print_profile else DEFAULT_PRINT_PROFILE

    def print_digest(self, root: Path) -> str:
        """What print-shop files depend on besides ``digest``: the profile's bytes."""
        try:
            return hashlib.sha256(self.print_profile_path(root).read_bytes()).hexdigest()
        except OSError:
            return "no profile"  # the print-shop build says what is wrong

    def digest(self, root: Path) -> str:
        sha = hashlib.sha256(self.path.read_bytes())
        if self.logo:
            sha.update((root / self.logo).read_bytes())
        return sha.hexdigest()


def brands_dir(project: Project) -> Path:
    return project.layouts_dir / "brands"


def load_brand(project: Project, name: str, report: Report) -> Brand | None:
    """The brand ``name``, or None with every problem of its file in ``report``."""
    path = brands_dir(project) / f"{name}.yml"
    if len(name) > MAX_ID_LENGTH:  # its outputs go to build/brands/<name>/
        report.error(brands_dir(project), None, f"the brand name '{name[:40]}...' is "
                     f"{len(name)} characters; a brand name may be at most {MAX_ID_LENGTH}: name "
                     "one of the brands in layouts/brands/")
        return None
    if not ID_RE.match(name) or not path.is_file():
        available = sorted(p.stem for p in brands_dir(project).glob("*.yml"))
        report.error(path, None, f"no brand '{name}' (available: {', '.join(available)})")
        return None
    mapping = read_mapping(path, KNOWN, report)
    if mapping is None:
        return None
    local = Report()
    data = mapping.data
    for key in REQUIRED:
        if key not in data:
            local.error(path, 1, f"missing required key '{key}'")
    texts = {key: _text(data, key, mapping.line(key), path, local)
             for key in KNOWN if key not in ("logo", "colours", "cmyk", "print_profile")}
    if texts["base_url"] and not _is_web_url(texts["base_url"]):
        local.error(path, mapping.line("base_url"), "'base_url' must be an http(s) address")
    logo = _logo(project, path, data.get("logo"), mapping.line("logo"), local)
    colours = _colours(path, data.get("colours"), mapping.nodes.get("colours"), local)
    cmyk, profile = _printing(project, mapping, bool(texts["print_condition"]), local)
    report.extend(local)
    if local.errors:
        return None
    return Brand(name=name, path=path, logo=logo, colours=colours, cmyk=cmyk,
                 print_profile=profile, **texts)


def _text(data: dict[str, Any], key: str, line: int | None, path: Path, report: Report) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (key in data and not value.strip()):
        report.error(path, line, f"'{key}' must be non-empty text")
        return ""
    return value.strip()


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _logo(project: Project, path: Path, value: Any, line: int | None,
          report: Report) -> str | None:
    if value is None:
        return None
    target = (path.parent / str(value)).resolve()
    if not isinstance(value, str) or not target.is_relative_to(path.parent.resolve()):
        report.error(path, line, "'logo' must be a file name inside layouts/brands/")
    elif not target.is_file() or target.suffix.lower() not in LOGO_TYPES:
        report.error(path, line, f"logo '{value}' must be an existing .svg or .png file")
    elif not target.is_relative_to(project.root.resolve()):  # layouts/ linked from elsewhere
        report.error(path, line, f"logo '{value}' is outside the project ({target}); "
                     "documents may only use files inside it")
    else:
        return target.relative_to(project.root.resolve()).as_posix()
    return None


def _colours(path: Path, value: Any, node: yaml.Node | None, report: Report) -> dict[str, str]:
    colours = dict(COLOURS)
    if value is None:
        return colours
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        report.error(path, node.start_mark.line + 1 if node else None,
                     "'colours' must be a set of 'name: colour' lines")
        return colours
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    for key, colour in value.items():
        if key not in COLOURS:
            report.error(path, lines[key], unknown_key(str(key), tuple(COLOURS)))
            continue
        try:
            parse_colour(str(colour))
        except ValueError as exc:
            report.error(path, lines[key], f"colour '{key}': {exc}")
            continue
        colours[key] = str(colour).strip()
    for fg, bg in PAIRS:
        try:
            ratio = contrast_ratio(colours[fg], colours[bg])
        except ValueError:
            continue  # already reported above
        if ratio < MIN_CONTRAST:
            line = lines.get(fg, lines.get(bg, node.start_mark.line + 1))
            report.error(path, line, f"'{fg}' {colours[fg]} on '{bg}' {colours[bg]} has a "
                         f"contrast of {ratio:.2f}:1; WCAG AA needs at least "
                         f"{MIN_CONTRAST}:1 for text")
    return colours


def _printing(project: Project, mapping: Mapping, condition: bool,
              report: Report) -> tuple[dict[str, CMYK], str | None]:
    """The brand's settings for print-shop files: ``cmyk`` and ``print_profile``."""
    path, data = mapping.path, mapping.data
    if condition and "print_profile" not in data:
        report.error(path, mapping.line("print_condition"), "'print_condition' names what "
                     "'print_profile' is for: give the print shop's profile with it")
    return (_cmyk(path, data.get("cmyk"), mapping.nodes.get("cmyk"), report),
            _profile(project, path, data.get("print_profile"), mapping.line("print_profile"),
                     report))


def _cmyk(path: Path, value: Any, node: yaml.Node | None, report: Report) -> dict[str, CMYK]:
    """The designer's CMYK per colour, from percentages: ``primary: [90, 25, 30, 60]``."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        report.error(path, node.start_mark.line + 1 if node else None,
                     "'cmyk' must be a set of 'name: [c, m, y, k]' lines (percentages)")
        return {}
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    found: dict[str, CMYK] = {}
    for key, parts in value.items():
        if key not in COLOURS:
            report.error(path, lines[key], unknown_key(str(key), tuple(COLOURS)))
        elif (percent := _percentages(parts)) is None:
            report.error(path, lines[key], f"cmyk '{key}' must be four percentages from 0 "
                         f"to 100, [cyan, magenta, yellow, black], not {parts!r}")
        elif sum(percent) > MAX_TOTAL_INK:
            report.error(path, lines[key], f"cmyk '{key}' {list(percent)} puts {sum(percent):g}% "
                         f"ink on the paper; presses take at most {MAX_TOTAL_INK}%")
        else:
            c, m, y, k = (part / 100 for part in percent)
            found[key] = (c, m, y, k)
    return found


def _percentages(value: Any) -> tuple[float, ...] | None:
    if not isinstance(value, list) or len(value) != 4:
        return None
    if not all(isinstance(part, int | float) and not isinstance(part, bool)
               and 0 <= part <= 100 for part in value):
        return None
    return tuple(float(part) for part in value)


def _profile(project: Project, path: Path, value: Any, line: int | None,
             report: Report) -> str | None:
    """The press profile's project-relative path, if it is a CMYK output profile."""
    if value is None:
        return None
    target = (path.parent / str(value)).resolve()
    if not isinstance(value, str) or not target.is_relative_to(path.parent.resolve()):
        report.error(path, line, "'print_profile' must be a file name inside layouts/brands/")
    elif not target.is_file() or target.suffix.lower() not in PROFILE_TYPES:
        report.error(path, line, f"print profile '{value}' must be an existing .icc or .icm "
                     "file (ask the print shop for the ICC profile of its press)")
    elif not target.is_relative_to(project.root.resolve()):
        report.error(path, line, f"print profile '{value}' is outside the project ({target})")
    elif (problem := _profile_problem(target)) is not None:
        report.error(path, line, f"print profile '{value}' {problem}")
    else:
        return target.relative_to(project.root.resolve()).as_posix()
    return None


def _profile_problem(target: Path) -> str | None:
    """Why ``target`` is not a CMYK printer profile, read from its 128-byte ICC header."""
    with target.open("rb") as file:
        header = file.read(128)
    if len(header) < 128 or header[36:40] != b"acsp":
        return "is not an ICC profile"
    if header[16:20] != b"CMYK" or header[12:16] != b"prtr":
        return (f"is a {header[16:20].decode('latin-1').strip()} "
                f"{header[12:16].decode('latin-1')} profile, not the CMYK output (prtr) "
                "profile of a press")
    return None
