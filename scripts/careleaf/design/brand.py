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

The brand's own sentences (``PROSE``: the urgent-help line, the feedback sentence) are
given per language, ``urgent: {en: "...", es: "..."}``; a plain string is the text in
``DEFAULT_LANGUAGE``. A leaflet is printed with ``in_language(leaflet.lang)``, the brand
with its sentences in the leaflet's language, and a language the brand lacks is an
error at the brand file, never English words on a Spanish leaflet. Contact data is
not prose: a sentence holds it as a placeholder (``{feedback_email}``), filled in from
its one field, so no translation can mistype an address; the numbers of a sentence
(``111``, ``999``) must be the same in every language. The organisation's name and
postal address are one text for every language: the name is what is on the clinic's
sign and letters, the address what the post and the patient's map need.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from careleaf.design.contrast import MIN_CONTRAST, contrast_ratio, parse_colour
from careleaf.errors import CareleafError, Diagnostic, Location, Report
from careleaf.project import ID_RE, LANG_RE, MAX_ID_LENGTH, Project
from careleaf.yamlfile import Mapping, read_mapping, unknown_key

DEFAULT_BRAND = "default"
REQUIRED = ("organisation", "phone", "urgent", "base_url")
KNOWN = (*REQUIRED, "logo", "colours", "address", "website", "feedback", "feedback_email",
         "cmyk", "print_profile", "print_condition")
#: The brand's sentences, given per language: the texts translators write.
PROSE = ("urgent", "feedback")
#: The language of a sentence given as plain text: careleaf's source language, English
#: (``i18n.messages.SOURCE_LANGUAGE``; design comes before i18n, so it names it itself).
DEFAULT_LANGUAGE = "en"
#: The brand's fields a sentence may hold as ``{name}``, filled in for every language.
PLACEHOLDERS = ("phone", "feedback_email", "website")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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
    #: The feedback sentence, its ``{feedback_email}`` filled in.
    feedback: str = ""
    feedback_email: str = ""
    #: The language ``urgent`` and ``feedback`` are in; ``in_language`` gives another.
    lang: str = DEFAULT_LANGUAGE
    #: Each of ``PROSE`` the brand gives, by language, its placeholders filled in.
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The brand file's line of each of ``PROSE``, for errors.
    text_lines: dict[str, int] = field(default_factory=dict)
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

    def missing(self, lang: str) -> list[str]:
        """The sentences (``PROSE``) the brand gives but not in ``lang``."""
        return [key for key in PROSE if key in self.texts
                and _in_language(self.texts[key], lang) is None]

    def in_language(self, lang: str) -> Brand:
        """The brand with its sentences in ``lang`` (a variant without its own takes its
        language's, as catalogues do: ``es-419`` gets ``es``); ``CareleafError`` at the
        brand file if it lacks any of them."""
        if (problem := self.language_problem(lang)) is not None:
            raise CareleafError(problem)
        found = {key: _in_language(self.texts.get(key, {}), lang) or "" for key in PROSE}
        return replace(self, lang=lang, urgent=found["urgent"], feedback=found["feedback"])

    def language_problem(self, lang: str, needed_by: list[str] | None = None
                         ) -> Diagnostic | None:
        """The error for a leaflet in ``lang`` when the brand lacks some sentence in it,
        at the first such key's line, naming them and the leaflets (``needed_by``)."""
        missing = self.missing(lang)
        if not missing:
            return None
        keys = ", ".join(f"'{key}'" for key in missing)
        who = (_and(needed_by) + (" need" if len(needed_by) > 1 else " needs")
               if needed_by else f"a leaflet in '{lang}' needs")
        return Diagnostic(Location(self.path, self.text_lines.get(missing[0])), (
            f"the brand has no {language_name(lang)} text for {keys}, which {who}: add a "
            f"line '{lang}: \"...\"' under each, translated; until then, a leaflet in "
            f"{language_name(lang)} is not built"))

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
    texts = {key: _text(data, key, mapping.line(key), path, local) for key in KNOWN
             if key not in ("logo", "colours", "cmyk", "print_profile", *PROSE)}
    if texts["base_url"] and not _is_web_url(texts["base_url"]):
        local.error(path, mapping.line("base_url"), "'base_url' must be an http(s) address")
    prose = _sentences(mapping, texts, local)
    logo = _logo(project, path, data.get("logo"), mapping.line("logo"), local)
    colours = _colours(path, data.get("colours"), mapping.nodes.get("colours"), local)
    cmyk, profile = _printing(project, mapping, bool(texts["print_condition"]), local)
    report.extend(local)
    if local.errors:
        return None
    lines = {key: line for key in PROSE if (line := mapping.line(key)) is not None}
    default = {key: _in_language(prose.get(key, {}), DEFAULT_LANGUAGE) or "" for key in PROSE}
    return Brand(name=name, path=path, logo=logo, colours=colours, cmyk=cmyk,
                 print_profile=profile, texts=prose, text_lines=lines, **default, **texts)


def _text(data: dict[str, Any], key: str, line: int | None, path: Path, report: Report) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (key in data and not value.strip()):
        report.error(path, line, f"'{key}' must be non-empty text")
        return ""
    return value.strip()


def _sentences(mapping: Mapping, fields: dict[str, str],
               report: Report) -> dict[str, dict[str, str]]:
    """Each of ``PROSE`` the brand gives, by language, checked, placeholders filled in."""
    email = fields["feedback_email"]
    if email and not EMAIL.fullmatch(email):
        report.error(mapping.path, mapping.line("feedback_email"), f"'feedback_email' must "
                     f"be one e-mail address, like leaflets@clinic.example.org, not '{email}'")
    values = {name: fields[name] for name in PLACEHOLDERS}
    given = {key: _by_language(mapping, key, report) for key in PROSE if key in mapping.data}
    if email and not any("{feedback_email}" in text for texts in given.values()
                         for text, _ in texts.values()):
        report.error(mapping.path, mapping.line("feedback_email"), "'feedback_email' is "
                     "printed where a sentence holds {feedback_email}: put it in 'feedback' "
                     "(in every language), where the address goes")
    for key, texts in given.items():
        _consistent(mapping.path, key, texts, report)
    return {key: {lang: filled for lang, (text, line) in texts.items()
                  if (filled := _filled(mapping.path, key, lang, text, line, values,
                                        report)) is not None}
            for key, texts in given.items()}


def _by_language(mapping: Mapping, key: str, report: Report) -> dict[str, tuple[str, int]]:
    """``key``'s texts (and their lines) by language tag: a plain string is the text in
    ``DEFAULT_LANGUAGE``, a mapping gives one per language (``es: "..."``)."""
    node, line = mapping.nodes[key], mapping.line(key) or 1
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
        pairs = [(DEFAULT_LANGUAGE, node, line)]
    elif isinstance(node, yaml.MappingNode) and node.value:
        # The tags as written: YAML would read "no" (Norwegian) as false.
        pairs = [(str(k.value), v, k.start_mark.line + 1) for k, v in node.value]
    else:
        report.error(mapping.path, line, f"'{key}' must be its text in each language, a line "
                     f"'<language>: <text>' each ({DEFAULT_LANGUAGE}: \"...\", es: \"...\"), "
                     f"or one text, in {language_name(DEFAULT_LANGUAGE)}")
        return {}
    found = {}
    for lang, value, at in pairs:
        if not LANG_RE.match(lang):
            report.error(mapping.path, at, f"'{key}': '{lang}' is not a language tag like the "
                         "source folders' (en, es, ar, zh-Hans, pt-BR)")
        elif not (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str")
                  and str(value.value).strip()):
            report.error(mapping.path, at, f"'{key}' in '{lang}' must be non-empty text")
        else:
            found[lang] = (str(value.value).strip(), at)
    return found


def _filled(path: Path, key: str, lang: str, text: str, line: int, values: dict[str, str],
            report: Report) -> str | None:
    """``text`` with its placeholders filled in; None, with an error, if it cannot be."""
    where = f"'{key}' in '{lang}'"
    if (address := EMAIL.search(text)) is not None:
        report.error(path, line, f"{where} writes the e-mail address '{address.group()}' "
                     "itself: give it once, as 'feedback_email: <address>', and write "
                     "{feedback_email} where it goes, so no translation can mistype it")
        return None
    try:
        names = _placeholders(text)
    except ValueError:
        report.error(path, line, f"{where} has a '{{' or '}}' that is not a placeholder "
                     "like {feedback_email}; write '{{' or '}}' for the brace itself")
        return None
    if unknown := sorted(names - set(PLACEHOLDERS)):
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        report.error(path, line, f"{where} holds {{{unknown[0]}}}; a brand's sentence may "
                     f"hold {known}")
        return None
    if unset := sorted(name for name in names if not values[name]):
        report.error(path, line, f"{where} holds {{{unset[0]}}}, but the brand gives no "
                     f"'{unset[0]}': add it")
        return None
    return text.format(**values)


def _placeholders(text: str) -> set[str]:
    """The ``{name}``s of ``text``; ``ValueError`` for a stray brace or ``{name!r}``."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            if spec or conversion or not name.isidentifier():
                raise ValueError(name)
            names.add(name)
    return names


def _consistent(path: Path, key: str, given: dict[str, tuple[str, int]],
                report: Report) -> None:
    """Every language's text of ``key`` holds the same placeholders and numbers (a phone
    number, "999"): a translation that changed one would send a patient elsewhere."""
    if not given:
        return
    first = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in given else next(iter(given))
    for lang, (text, line) in given.items():
        for what, of in (("numbers", _numbers), ("placeholders", _placeholder_list)):
            theirs, ours = of(given[first][0]), of(text)
            if ours != theirs:
                report.error(path, line, f"'{key}' in '{lang}' has the {what} "
                             f"{_listed(ours)} where '{first}' has {_listed(theirs)}: every "
                             f"language's text must keep the {what} as they are")


def _numbers(text: str) -> list[str]:
    """The numbers of ``text``, written in ASCII digits (Arabic-Indic ones too), sorted."""
    return sorted("".join(str(unicodedata.digit(char)) for char in run)
                  for run in re.findall(r"\d+", text))


def _placeholder_list(text: str) -> list[str]:
    try:
        return sorted(f"{{{name}}}" for name in _placeholders(text))
    except ValueError:
        return []  # reported where the text is filled in


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return f"{', '.join(items[:-1])} and {items[-1]}" if len(items) > 1 else "".join(items)


def _listed(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def _in_language(texts: dict[str, str], lang: str) -> str | None:
    """The text for ``lang``, else for the language of which it is a variant."""
    subtags = lang.split("-")
    return next((texts[tag] for tag in ("-".join(subtags[:n])
                                        for n in range(len(subtags), 0, -1)) if tag in texts),
                None)


def language_name(lang: str) -> str:
    """``French (fr)``: the English name of a language, with its tag."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(lang, sep="-").english_name
    except (UnknownLocaleError, ValueError):
        name = None
    return f"{name} ({lang})" if name else f"'{lang}'"


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
