"""Images that cannot be drawn as they are fail the build at the line that uses them.

Issue 11, finding 4: an HTML file named ``.png``, an SVG with a DOCTYPE entity, an SVG
whose ``<style>`` imports ``file:///etc/passwd`` and a 30000 x 30000 PNG were left out of
the PDF (at most a layout warning with an empty reason), carried as they were into the
EPUB, and the build passed. Each is now an error at its source line before anything is
rendered: no output is written, and outputs built before stay byte for byte as they were.
What WeasyPrint itself cannot load or draw is an error with its reason too.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]
import pytest
from click.testing import Result
from PIL import Image

from conftest import MINIMAL, TmpProject

SOURCE = "source/en/minimal.md"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">{}</svg>'
#: What a leaked /etc/passwd would show: its first line (root's entry).
PASSWD = Path("/etc/passwd").read_bytes().split(b"\n", 1)[0]


def with_image(name: str) -> tuple[str, int]:
    """MINIMAL with a paragraph showing ``name`` after its last line; that paragraph's line."""
    text = MINIMAL.rstrip("\n") + f"\n\nHere is a picture: ![A picture]({name})\n"
    return text, text.count("\n")


def png(width: int, height: int, colour: tuple[int, int, int] = (10, 85, 97)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@functools.cache
def huge_png(side: int = 30_000) -> bytes:
    """A valid, decodable 1-bit PNG of ``side`` x ``side`` pixels in about 110 kB, made
    without Pillow (which would hold all 112 MB of its pixels in memory)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    packer, row = zlib.compressobj(9), bytes(1 + (side + 7) // 8)  # filter byte, then pixels
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


GOOD_SVG = SVG.format('<rect width="40" height="20" fill="#0a5561"/>').encode()
#: name, the good file first built with that name, the hostile one, what careleaf says.
HOSTILE = [
    ("html-named-png", "pic.png", png(8, 8),
     b"<!DOCTYPE html>\n<html><head><title>Bath</title></head><body><p>A bath</p></body>"
     b"</html>\n",
     "is an HTML file (a web page), not a PNG image; save the picture itself, not the page "
     "that shows it"),
    ("svg-doctype-entity", "pic.svg", GOOD_SVG,
     b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
     + SVG.format('<text x="0" y="15">&secret;</text>').encode(),
     "has a <!DOCTYPE> declaration, which could read other files; delete it (with any "
     "<!ENTITY> inside): an SVG image needs none"),
    ("svg-style-import", "pic.svg", GOOD_SVG,
     SVG.format('<style>@import "file:///etc/passwd";</style><rect width="4" height="2"/>')
     .encode(),
     "imports a stylesheet (@import); an SVG must not load other files: copy the rules "
     "into its <style>"),
    ("png-30000-square", "pic.png", png(8, 8), huge_png(),
     "is 30,000 by 30,000 pixels; at most 10,000 pixels a side and 40 million in all are "
     "allowed: scale it down"),
]


@pytest.fixture
def here(minimal: TmpProject, monkeypatch: pytest.MonkeyPatch) -> TmpProject:
    """The minimal project as the working folder, so paths print as ``source/en/...``."""
    monkeypatch.chdir(minimal.root)
    return minimal


def build(project: TmpProject, *args: str) -> Result:
    result = project.run("build", *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    assert "Traceback" not in result.output + result.stderr
    return result


def snapshot(project: TmpProject) -> dict[str, bytes]:
    """Every file under build/, by its path there."""
    folder = project.root / "build"
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def assert_nothing_leaked(project: TmpProject, result: Result) -> None:
    """No part of /etc/passwd in what careleaf printed or in any file it wrote, zipped
    members (the EPUB, which carries images as they are) opened too."""
    assert PASSWD.decode() not in result.output + result.stderr
    for name, data in snapshot(project).items():
        assert PASSWD not in data, name
        if name.endswith(".epub"):
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                assert all(PASSWD not in book.read(item) for item in book.namelist()), name


@pytest.mark.parametrize(("name", "good", "bad", "message"),
                         [pytest.param(*case[1:], id=case[0]) for case in HOSTILE])
def test_hostile_image_is_an_error_at_its_line_and_writes_nothing(
        here: TmpProject, name: str, good: bytes, bad: bytes, message: str) -> None:
    text, line = with_image(name)
    here.write(SOURCE, text)
    here.write(f"source/en/{name}", bad)
    result = build(here)
    assert result.exit_code == 1, result.output
    assert f"{SOURCE}:{line}: error: image '{name}' {message}" in result.stderr.splitlines()
    assert not here.output("en", "minimal", "minimal-a4.pdf").exists()
    assert not here.output("en", "minimal", "minimal.epub").exists()
    assert_nothing_leaked(here, result)


@pytest.mark.parametrize(("name", "good", "bad", "message"),
                         [pytest.param(*case[1:], id=case[0]) for case in HOSTILE])
def test_hostile_image_leaves_the_outputs_built_before_as_they_were(
        here: TmpProject, name: str, good: bytes, bad: bytes, message: str) -> None:
    text, line = with_image(name)
    here.write(SOURCE, text)
    here.write(f"source/en/{name}", good)
    assert build(here).exit_code == 0
    before = snapshot(here)
    assert {"en/minimal/minimal-a4.pdf", "en/minimal/minimal.epub"} <= set(before)
    here.write(f"source/en/{name}", bad)
    result = build(here)
    assert result.exit_code == 1, result.output
    assert f"{SOURCE}:{line}: error: image '{name}' {message}" in result.stderr.splitlines()
    after = snapshot(here)
    for output in ("en/minimal/minimal-a4.pdf", "en/minimal/minimal.epub"):
        assert after[output] == before[output], output
    assert bad not in after.values()  # nor published by the download site
    assert_nothing_leaked(here, result)


# --- what the check before rendering refuses, and lets through ---------------------------------

def svg(body: str) -> bytes:
    return SVG.format(body).encode()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def damaged_png() -> bytes:
    """A PNG whose header is fine and whose pixel data is not: WeasyPrint would embed it
    as it is, and the PDF viewer would show garbage."""
    data = png(8, 8)
    start = data.index(b"IDAT") + 4
    return data[:start] + b"\xff" * 10 + data[start + 10:]


REFUSED = [
    ("jpeg.png", jpeg(), "is a JPEG image, not a PNG image; rename the file to 'jpeg.jpg' and "
                         "change the image's path to match"),
    ("pdf.png", b"%PDF-1.7\n", "is a PDF document, not a PNG image; "),
    ("photo.jpg", b"\0\0\0\x18ftypheic" + bytes(20), "is a HEIC or AVIF image, not a JPEG"),
    ("empty.png", b"", "is an empty file, not a PNG image"),
    ("signature.png", b"\x89PNG\r\n\x1a\n", "is a damaged PNG file: its header cannot be read"),
    ("damaged.png", damaged_png(), "is a damaged PNG file: it cannot be decoded"),
    ("wide.png", huge_png(10_001), "is 10,001 by 10,001 pixels; at most 10,000 pixels a side"),
    ("page.svg", b"<!DOCTYPE html><html><body>x</body></html>", "is an HTML file (a web page), "
                                                                "not an SVG image"),
    ("public-doctype.svg", b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/'
     b'Graphics/SVG/1.1/DTD/svg11.dtd">' + svg(""), "has a <!DOCTYPE> declaration"),
    ("shift-jis.svg", b'<?xml version="1.0" encoding="Shift_JIS"?>' + svg(""),
     "is saved in the Shift_JIS encoding; save it as UTF-8"),
    ("no-namespace.svg", b'<svg width="1" height="1"/>', "has no SVG namespace"),
    ("not-svg.svg", b"<note>x</note>", "is an XML file, not an SVG image"),
    ("stylesheet-pi.svg", b'<?xml-stylesheet href="file:///etc/passwd"?>' + svg(""),
     "contains <?xml-stylesheet ...?>"),
    ("import-url.svg", svg("<style>@IMPORT url(x.css);</style>"), "imports a stylesheet"),
    ("import-escaped.svg", svg("<style>@\\69mport 'x.css';</style>"), "imports a stylesheet"),
    ("import-cdata.svg", svg('<style>a{}<![CDATA[@import "x.css";]]></style>'),
     "imports a stylesheet"),
    ("import-attribute.svg", svg("<rect style=\"@import 'x.css'\"/>"), "imports a stylesheet"),
    ("fill-file.svg", svg('<rect fill="url(file:///etc/passwd)"/>'),
     "refers to 'file:///etc/passwd'; an SVG must not load other files"),
    ("escaped-url.svg", svg('<rect style="fill: u\\72l(http://127.0.0.1:9/x)"/>'),
     "refers to 'http://127.0.0.1:9/x'"),
    ("image-set.svg", svg('<style>a { fill: image-set("x.png" 1x) }</style>'),
     "refers to 'x.png'"),
    ("xlink.svg", svg('<image xmlns:xlink="http://www.w3.org/1999/xlink" '
                      'xlink:href="file:///etc/passwd"/>'), "refers to 'file:///etc/passwd'"),
    ("other-svg.svg", svg('<use href="other.svg#shape"/>'), "refers to 'other.svg#shape'"),
    ("nested-svg.svg", svg('<image href="data:image/svg+xml,&lt;svg/&gt;"/>'),
     "refers to 'data:image/svg+xml,<svg/>'"),
]


@pytest.mark.parametrize(("name", "data", "message"),
                         [pytest.param(*case, id=case[0]) for case in REFUSED])
def test_image_check_refuses(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    from careleaf.source.images import resolve_image

    (tmp_path / name).write_bytes(data)
    target, problem = resolve_image(name, tmp_path / "x.md", tmp_path)
    assert target is None
    assert problem is not None and problem.startswith(f"image '{name}' {message}"), problem


def test_image_check_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    from careleaf.source.images import resolve_image

    os.mkfifo(tmp_path / "pipe.png")  # opening it would wait for a writer forever
    (tmp_path / "folder.png").mkdir()
    with open(tmp_path / "big.png", "wb") as big:
        big.truncate(20_000_001)  # sparse: the size is all that is looked at
    found = {name: resolve_image(name, tmp_path / "x.md", tmp_path)[1]
             for name in ("pipe.png", "folder.png", "big.png")}
    assert found == {
        "pipe.png": "image 'pipe.png' is a named pipe (FIFO), not a file; remove it",
        "folder.png": "image 'folder.png' is a folder, not a file",
        "big.png": "image 'big.png' is 20,000,001 bytes; at most 20,000,000 are allowed: save "
                   "it smaller (fewer pixels, or as a JPEG if it is a photo)"}


def webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "WEBP")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


ACCEPTED = [
    ("photo.png", png(8, 8)), ("photo.jpg", jpeg()), ("photo.JPEG", jpeg()),
    ("photo.gif", gif()), ("photo.webp", webp()), ("a4-at-600dpi.png", png(4961, 7016)),
    ("plain.svg", GOOD_SVG),
    ("declared.svg", b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n'
     + GOOD_SVG),
    ("fragments.svg", svg('<defs><linearGradient id="g"/></defs><style>rect { fill: url(#g) }'
                          '</style><rect style="fill: url(\'#g\')" fill="url(#g)"/>'
                          '<use href="#g"/>')),
    ("embedded.svg", svg('<image href="data:image/png;base64,iVBORw0KGgo=" width="1" '
                         'height="1"/><text>url(x) and @import are words here</text>')),
]


@pytest.mark.parametrize(("name", "data"), [pytest.param(*case, id=case[0]) for case in ACCEPTED])
def test_image_check_accepts(tmp_path: Path, name: str, data: bytes) -> None:
    from careleaf.source.images import resolve_image

    (tmp_path / name).write_bytes(data)
    assert resolve_image(name, tmp_path / "x.md", tmp_path) == ((tmp_path / name).resolve(),
                                                                None)


# --- what only WeasyPrint finds: still an error, with its reason ---------------------------------

#: Passes every check before rendering; WeasyPrint recurses until it gives up drawing it.
SELF_REFERENCE = svg('<g id="a"><rect width="4" height="2"/><use href="#a"/></g>')


def test_svg_weasyprint_cannot_draw_fails_the_pdf_at_its_line(here: TmpProject) -> None:
    text, line = with_image("loop.svg")
    here.write(SOURCE, text)
    here.write("source/en/loop.svg", SELF_REFERENCE)
    result = build(here, "--layout", "a4")
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        f"{SOURCE}:{line}: error: image 'loop.svg' cannot be drawn in the a4 PDF: WeasyPrint "
        "failed while drawing it; open it in a drawing program and save it again")
    assert "warning: WeasyPrint" not in result.stderr
    assert not here.output("en", "minimal", "minimal-a4.pdf").exists()


def test_image_weasyprint_cannot_load_is_an_error_with_its_reason(
        here: TmpProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the file changed between the check and the rendering: WeasyPrint's own
    refusal (Pillow's decompression-bomb limit) is the error, with Pillow's reason."""
    import careleaf.source.images

    monkeypatch.setattr(careleaf.source.images, "image_problem", lambda path: None, raising=False)
    text, line = with_image("huge.png")
    here.write(SOURCE, text)
    here.write("source/en/huge.png", huge_png())
    result = build(here, "--layout", "a4")
    assert result.exit_code == 1, result.output
    assert (f"{SOURCE}:{line}: error: image 'huge.png' cannot be drawn in the a4 PDF: Image "
            "size (900000000 pixels) exceeds limit of") in result.stderr
    assert not here.output("en", "minimal", "minimal-a4.pdf").exists()


def test_layout_image_weasyprint_cannot_load_is_an_error_of_the_layout(
        here: TmpProject) -> None:
    here.write("layouts/broken/layout.yml",
               "name: broken\nformat: pdf\nextends: a4\nstylesheets: [broken.css]\n")
    here.write("layouts/broken/broken.css", "body { background: url(texture.png) }")
    here.write("layouts/broken/texture.png", b"\x89PNG\r\n\x1a\n")
    result = build(here, "--layout", "broken")
    assert result.exit_code == 1, result.output
    assert ("layouts/broken: error: could not load 'layouts/broken/texture.png' for en/minimal: "
            "cannot identify image file; fix or replace that file") in result.stderr.splitlines()
    assert not here.output("en", "minimal", "minimal-broken.pdf").exists()


# --- good images are still drawn ---------------------------------------------------------------

def test_png_and_svg_are_drawn_in_the_pdf_and_carried_in_the_epub(here: TmpProject) -> None:
    magenta = SVG.format('<rect width="40" height="20" fill="#ff00ff"/>').encode()
    text = (MINIMAL.rstrip("\n") + "\n\n![A green square](green.png)\n\n"
            "![A magenta band](band.svg)\n")
    here.write(SOURCE, text)
    here.write("source/en/green.png", png(60, 60, (0, 255, 0)))
    here.write("source/en/band.svg", magenta)
    result = build(here)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    colours: set[tuple[int, int, int]] = set()
    document = pypdfium2.PdfDocument(here.output("en", "minimal", "minimal-a4.pdf"))
    for page in document:
        picture = page.render(scale=0.5).to_pil().convert("RGB")
        colours |= {colour for _, colour in picture.getcolors(1 << 20) or []}
    assert (0, 255, 0) in colours and (255, 0, 255) in colours
    with zipfile.ZipFile(here.output("en", "minimal", "minimal.epub")) as book:
        assert book.read("EPUB/source/en/band.svg") == magenta
        assert book.read("EPUB/source/en/green.png") == png(60, 60, (0, 255, 0))
