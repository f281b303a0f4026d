"""Images in a source: a relative path to a safe, drawable file inside the project, or an error.

An image is the one thing a writer's source makes the renderers read, so it is
checked here, before any renderer sees it; an image that would not be drawn is
an error at the line that uses it, never a hole in the PDF or an ebook that
fails EPUBCheck (the ebook carries the file as it is):

- the path stays inside the project (symlinks resolved) and names a regular
  file of at most ``MAX_IMAGE_BYTES``;
- its bytes, not its name, say what it is: a PNG, JPEG, GIF, WebP or SVG image,
  and the one its extension names;
- a raster image is at most ``MAX_SIDE`` pixels a side and ``MAX_PIXELS`` in all,
  read from its header before anything is decoded (a small file can declare a
  huge picture), and then decodes without error;
- an SVG is parseable XML with an ``<svg>`` root and self-contained: no DOCTYPE
  (entities and DTDs can pull in other files), no processing instructions,
  scripts, event handlers or embedded HTML, and no reference to anything but
  itself: no ``href`` out of the document, no ``url()`` but ``#fragment`` and
  ``data:``, no ``@import`` however it is spelt.

Pillow and tinycss2 are imported by the checks that use them, not at the top: loading
a project imports this module, and a build with nothing new must not pay for them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from careleaf.files import UnreadableFile, file_problem, read_regular

if TYPE_CHECKING:
    from PIL import ImageFile

#: Format of each extension careleaf accepts, as its bytes must show it.
FORMATS = {".gif": "GIF", ".jpeg": "JPEG", ".jpg": "JPEG", ".png": "PNG", ".svg": "SVG",
           ".webp": "WebP"}
IMAGE_TYPES = tuple(sorted(FORMATS))
#: Larger files are refused: a leaflet's picture is never this big (the PDF fetcher agrees).
MAX_IMAGE_BYTES = 20_000_000
#: A raster image may be at most this many pixels a side and in all: enough for a full
#: A4 page at 600 dpi, and at most 160 MB once decoded.
MAX_SIDE = 10_000
MAX_PIXELS = 40_000_000
_EXTENSION = {"GIF": ".gif", "JPEG": ".jpg", "PNG": ".png", "SVG": ".svg", "WebP": ".webp"}
#: First bytes of the image formats, and of files that are mistaken for images.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"),
          (b"GIF89a", "GIF"), (b"%PDF-", "a PDF document"), (b"BM", "a BMP image"),
          (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
          (b"PK\x03\x04", "a ZIP archive (a Word or OpenDocument file?)"))
#: An HTML page says so near its start: a doctype or an <html> element.
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_SVG_TAG = re.compile(rb"<([\w.-]+:)?svg[\s>/]")
SVG_NS = "http://www.w3.org/2000/svg"
_UNSAFE_ELEMENTS = ("script", "foreignobject", "iframe", "object", "embed")
#: CSS functions that load what their string argument names (CSS Images 3 and 4).
_URL_FUNCTIONS = ("url", "src", "image", "image-set", "-webkit-image-set")
#: ``data:`` content that could itself refer to other files, and so cannot be checked here.
_NESTED_DATA = re.compile(r"data:\s*[^,;]*(svg|xml|html|css)", re.IGNORECASE)
_FIX = "open it in a drawing program and save it again as PNG, JPEG, GIF, WebP or SVG"


def resolve_image(src: str, source: Path, root: Path) -> tuple[Path | None, str | None]:
    """The image file ``src`` names, written in ``source``; or None and why not."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/"):
        return None, f"image '{src}' must be a file inside the project, given as a relative path"
    try:
        target = (source.parent / unquote(parts.path)).resolve()
        inside = target.is_relative_to(root.resolve())
        exists = inside and target.exists()
    except (OSError, ValueError):  # a NUL byte, a name too long for the file system
        return None, f"image '{src[:80]}' is not a usable file name"
    if not inside:
        return None, f"image '{src}' is outside the project"
    if not exists:
        return None, f"image '{src}' not found (looked for {target.relative_to(root.resolve())})"
    if target.suffix.lower() not in IMAGE_TYPES:
        return None, f"image '{src}' is not a supported type ({', '.join(IMAGE_TYPES)})"
    if problem := image_problem(target):
        return None, f"image '{src}' {problem}"
    return target, None


def image_problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be drawn as the image its extension names, or None."""
    if problem := file_problem(path):  # a folder, a FIFO, a device: never opened
        return problem
    if (size := path.stat().st_size) > MAX_IMAGE_BYTES:
        return (f"is {size:,} bytes; at most {MAX_IMAGE_BYTES:,} are allowed: save it smaller "
                "(fewer pixels, or as a JPEG if it is a photo)")
    try:
        data = read_regular(path, MAX_IMAGE_BYTES)
    except UnreadableFile as exc:
        return str(exc)
    expected, found = FORMATS[path.suffix.lower()], sniff(data)
    if found != expected:
        return _mismatch(path, expected, found)
    return svg_problem(data) if found == "SVG" else raster_problem(data, found)


def sniff(data: bytes) -> str:
    """What ``data`` is, from its first bytes: an image format (``PNG``, ``SVG``…) or,
    for anything else, a description such as ``an HTML file``."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp":  # ISO media: what phones save photos as
        return "a HEIC or AVIF image"
    if _HTML.search(data[:2048]):
        return "an HTML file"
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "SVG" if _SVG_TAG.search(data) else "an XML file"
    if not data.strip():
        return "an empty file"
    return "a text file" if _is_text(data) else "a file of unknown type"


def _is_text(data: bytes) -> bool:
    try:
        return b"\0" not in data and bool(data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _mismatch(path: Path, expected: str, found: str) -> str:
    """What the file really is, and what to do about it."""
    wanted = _article(expected)
    if found in _EXTENSION:  # another image format: the name is wrong, not the picture
        better = path.with_suffix(_EXTENSION[found]).name
        return (f"is {_article(found)}, not {wanted}; rename the file to '{better}' "
                "and change the image's path to match")
    if found == "an HTML file":
        return (f"is an HTML file (a web page), not {wanted}; save the picture itself, not the "
                "page that shows it")
    return f"is {found}, not {wanted}; {_FIX}"


def _article(name: str) -> str:
    return f"{'an' if name == 'SVG' else 'a'} {name} image"


def raster_problem(data: bytes, kind: str) -> str | None:
    """Why PNG, JPEG, GIF or WebP ``data`` cannot be drawn, or None.

    The plugin class reads only the header, so the size is checked before a single
    pixel is decoded (``Image.open`` would refuse huge images only above Pillow's own,
    larger limit, and without saying how large they are).
    """
    reader = _header_reader(kind)
    try:
        image = reader(io.BytesIO(data))
        width, height = image.size
    except Exception as exc:  # Pillow's plugins raise many kinds of error on a bad header
        return f"is a damaged {kind} file: its header cannot be read ({_reason(exc)}); {_FIX}"
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        return (f"is {width:,} by {height:,} pixels; at most {MAX_SIDE:,} pixels a side and "
                f"{MAX_PIXELS // 1_000_000} million in all are allowed: scale it down")
    try:
        with whole_pictures():
            image.load()
    except Exception as exc:  # and as many kinds while decoding
        return f"is a damaged {kind} file: it cannot be decoded ({_reason(exc)}); {_FIX}"
    return None


def _header_reader(kind: str) -> Callable[[io.BytesIO], ImageFile.ImageFile]:
    """Pillow's plugin class for ``kind`` (PNG, JPEG, GIF, WebP): making one reads the
    header, and pixels are decoded only by ``load()``."""
    from PIL.GifImagePlugin import GifImageFile
    from PIL.JpegImagePlugin import JpegImageFile
    from PIL.PngImagePlugin import PngImageFile
    from PIL.WebPImagePlugin import WebPImageFile

    readers: dict[str, Callable[[io.BytesIO], ImageFile.ImageFile]] = {
        "GIF": GifImageFile, "JPEG": JpegImageFile, "PNG": PngImageFile, "WebP": WebPImageFile}
    return readers[kind]


@contextmanager
def whole_pictures() -> Iterator[None]:
    """Pillow refusing truncated pictures, as it does by default: WeasyPrint, once
    imported (by a build in the same process), tells it to accept them for good."""
    from PIL import ImageFile

    accepted, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepted


def _reason(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


def svg_problem(data: bytes) -> str | None:
    """Why ``data`` is not a safe, self-contained SVG picture, or None."""
    # Imported here (and below): lxml costs a build with nothing to do ~5 ms to load.
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"is not a readable SVG file ({exc}); {_FIX}"
    if problem := _document_problem(root):
        return problem
    for node in chain(root.itersiblings(preceding=True), root.iter(), root.itersiblings()):
        if problem := _node_problem(node):
            return problem
    return None


def _document_problem(root: Any) -> str | None:
    """What is wrong with the document as a whole: its DOCTYPE or its root element."""
    from lxml import etree

    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        # An entity can read another file; so can a DTD. Drawing programs add one anyway.
        return ("has a <!DOCTYPE> declaration, which could read other files; delete it "
                "(with any <!ENTITY> inside): an SVG image needs none")
    if (info.encoding or "UTF-8").upper() != "UTF-8":  # EPUB allows no other; nor can WeasyPrint
        return f"is saved in the {info.encoding} encoding; save it as UTF-8 (ebooks need it)"
    name = etree.QName(root)
    if name.localname != "svg":
        return f"is an XML file whose root is <{name.localname}>, not an SVG image; {_FIX}"
    if name.namespace != SVG_NS:
        return (f'has no SVG namespace, so ebook readers show nothing: write <svg xmlns="{SVG_NS}"'
                " ...>")
    return None


def _node_problem(node: Any) -> str | None:
    """Why one element (or processing instruction) makes an SVG unsafe, or None."""
    from lxml import etree

    if node.tag is etree.PI:  # <?xml-stylesheet href=...?>
        return f"contains <?{node.target} ...?>; delete it: an SVG must not load other files"
    if not isinstance(node.tag, str):  # a comment
        return None
    name = etree.QName(node).localname.lower()
    if name in _UNSAFE_ELEMENTS:
        return f"contains <{name}>; an SVG must be a plain picture"
    for attribute, raw in node.attrib.items():
        if problem := _attribute_problem(etree.QName(attribute).localname.lower(), str(raw)):
            return problem
    # A <style>'s text is all of its text, also what follows a child element.
    return _css_problem("".join(node.itertext())) if name == "style" else None


def _attribute_problem(name: str, value: str) -> str | None:
    if name.startswith("on"):
        return f"has an event handler ({name}); an SVG must be a plain picture"
    if name in ("href", "src"):
        return None if _is_local(value) else _refers(value)
    return _css_problem(value)  # style="..." and presentation attributes are CSS


def _css_problem(css: str) -> str | None:
    """Why CSS text (a stylesheet, a style attribute) would load another file, or None."""
    if "(" not in css and "@" not in css:  # neither a function nor an at-rule: cheap exit
        return None
    import tinycss2  # type: ignore[import-untyped]

    for token in _tokens(tinycss2.parse_component_value_list(css)):
        if token.type == "at-keyword" and token.lower_value == "import":
            return ("imports a stylesheet (@import); an SVG must not load other files: "
                    "copy the rules into its <style>")
        for target in _css_references(token):
            if not _is_local(target):
                return _refers(target)
    return None


def _tokens(nodes: list[Any]) -> Iterator[Any]:
    """Every token of a parsed CSS value, nested ones too; without recursion, as blocks
    may nest thousands deep."""
    stack = list(reversed(nodes))
    while stack:
        token = stack.pop()
        yield token
        stack.extend(reversed(getattr(token, "arguments", None) or
                              getattr(token, "content", None) or []))


def _css_references(token: Any) -> list[str]:
    if token.type == "url":
        return [str(token.value)]
    if token.type == "function" and token.lower_name in _URL_FUNCTIONS:
        return [str(arg.value) for arg in token.arguments if arg.type in ("string", "url")]
    return []


def _is_local(reference: str) -> bool:
    """A fragment of this document, or data that cannot itself refer to anything."""
    text = reference.strip()
    if text.startswith("#"):
        return True
    return text[:5].lower() == "data:" and not _NESTED_DATA.match(text)


def _refers(target: str) -> str:
    return f"refers to '{target.strip()[:80]}'; an SVG must not load other files"
