"""Images in a source: a relative path to a safe file inside the project, or an error.

An image is the one thing a writer's source makes the renderers read, so it is
checked here, before any renderer sees it: the path must stay inside the
project (symlinks resolved), name an existing file of a known type, and an SVG
must be self-contained: no scripts, no event handlers, no embedded HTML, and no
reference to anything but itself, because an ebook carries the file as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

IMAGE_TYPES = (".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp")
_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)([^)'\"\s]+)", re.IGNORECASE)


def resolve_image(src: str, source: Path, root: Path) -> tuple[Path | None, str | None]:
    """The image file ``src`` names, written in ``source``; or None and why not."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/"):
        return None, f"image '{src}' must be a file inside the project, given as a relative path"
    try:
        target = (source.parent / unquote(parts.path)).resolve()
        inside = target.is_relative_to(root.resolve())
        exists = inside and target.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long for the file system
        return None, f"image '{src[:80]}' is not a usable file name"
    if not inside:
        return None, f"image '{src}' is outside the project"
    if not exists:
        return None, f"image '{src}' not found (looked for {target.relative_to(root.resolve())})"
    if target.suffix.lower() not in IMAGE_TYPES:
        return None, f"image '{src}' is not a supported type ({', '.join(IMAGE_TYPES)})"
    if target.suffix.lower() == ".svg" and (problem := svg_problem(target)):
        return None, f"image '{src}' {problem}"
    return target, None


def svg_problem(path: Path) -> str | None:
    """Why an SVG file is not a safe, self-contained picture, or None."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except (etree.XMLSyntaxError, OSError) as exc:
        return f"is not a readable SVG file ({exc})"
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname.lower()
        if name in ("script", "foreignobject", "iframe", "object", "embed"):
            return f"contains <{name}>; an SVG must be a plain picture"
        for attribute, raw in element.attrib.items():
            local, value = etree.QName(attribute).localname.lower(), str(raw)
            if local.startswith("on"):
                return f"has an event handler ({local}); an SVG must be a plain picture"
            if local in ("href", "src") and not value.strip().startswith(("#", "data:")):
                return f"refers to '{value[:80]}'; an SVG must not load other files"
        for text in (element.text or "", element.get("style") or ""):
            if match := _REFERENCE.search(text):
                return f"refers to '{match[1][:80]}'; an SVG must not load other files"
    return None
