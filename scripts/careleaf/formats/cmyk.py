"""CMYK: every colour of a print-shop PDF turned into ink for one press profile.

WeasyPrint draws in RGB. The brand's own colours reach a print-shop render as the
designer's CMYK (``device-cmyk()`` CSS variables: ``formats.printshop``); this pass
converts whatever else reaches the PDF in RGB or grey: the layouts' literal colours
(``#999`` table rules, ``#ffffff`` behind the cover logo), the fills of SVG images
(the logo, the QR code), a leaflet's photos, gradients. ``Converter`` decides the ink:

- an RGB colour that is one of the brand's gets the designer's CMYK for it, so the
  logo's fill in the brand colour prints with the same inks as the title band;
- a neutral (black, grey, white) becomes black ink alone, as light as it looks on a
  screen once the press prints it: text in rich black (four inks) goes fuzzy when the
  plates are a hair out of register, and small type is most of a leaflet;
- any other colour goes through the profile: sRGB to the press, relative colorimetric
  with black-point compensation (flat colours keep their hue), photos perceptual.

``Recolourer`` applies it to a pypdf ``PdfWriter`` in place: page contents, form
XObjects (SVG images, transparency groups), tiling patterns, shadings, the groups of
soft masks (made grey there: a mask is lightness, not ink) and images. What it cannot
convert (a Lab colour, a mesh gradient, an inline image) is a ``NotConvertible``
error naming it: a print-shop file is never written with RGB quietly left in it.

Pillow and pypdf are imported when a converter is made, not with this module.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image
    from pypdf import PageObject, PdfWriter
    from pypdf.generic import DictionaryObject, StreamObject

CMYK = tuple[float, float, float, float]
RGB8 = tuple[int, int, int]
#: A content-stream operation as pypdf parses it: (operands, operator).
Operation = tuple[Any, bytes]
#: Operands are written with this many decimals: 1/10000 of full ink is plenty.
DIGITS = 4
#: Colour spaces by how this pass treats them.
RGB_SPACES = ("/DeviceRGB", "/CalRGB")
GREY_SPACES = ("/DeviceGray", "/CalGray")


class NotConvertible(ValueError):
    """Something in the PDF whose colour this pass cannot make CMYK."""


class Converter:
    """RGB and grey to the press's CMYK (every value from 0 to 1)."""

    def __init__(self, profile: bytes, brand: dict[RGB8, CMYK]) -> None:
        from PIL import ImageCms

        press = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        # Pillow labels each converted image with the output profile, re-serialised by
        # lcms, which fails for some version 4 profiles: label it with the file instead.
        setattr(press, "tobytes", lambda: profile)  # noqa: B010
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
        self._flat = ImageCms.buildTransform(srgb, press, "RGB", "CMYK",
                                             ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=flags)
        self._photo = ImageCms.buildTransform(srgb, press, "RGB", "CMYK",
                                              ImageCms.Intent.PERCEPTUAL, flags=flags)
        self._black = _black_ink(press, srgb)
        self._brand = dict(brand)
        self._cache: dict[RGB8, CMYK] = {}

    def colour(self, rgb: Sequence[float]) -> CMYK:
        """The ink for one sRGB colour: the brand's, black alone, or the profile's."""
        key = (_byte(rgb[0]), _byte(rgb[1]), _byte(rgb[2]))
        if key not in self._cache:
            self._cache[key] = self._ink(key)
        return self._cache[key]

    def grey(self, level: float) -> CMYK:
        """Black ink alone, as light as the grey ``level`` (0 black, 1 white)."""
        return 0.0, 0.0, 0.0, self._black[_byte(level)]

    def picture(self, image: Image.Image) -> Image.Image:
        """A photo or drawing in CMYK: RGB through the profile, grey as black ink."""
        from PIL import Image, ImageCms

        if image.mode in ("L", "1", "I", "I;16", "F"):
            black = image.convert("L").point([round(self._black[v] * 255) for v in range(256)])
            blank = Image.new("L", image.size, 0)
            return Image.merge("CMYK", (blank, blank, blank, black))
        converted = ImageCms.applyTransform(image.convert("RGB"), self._photo)
        assert converted is not None  # applyTransform returns None only when in place
        return converted

    def _ink(self, key: RGB8) -> CMYK:
        from PIL import Image, ImageCms

        if key in self._brand:
            return self._brand[key]
        if max(key) - min(key) <= 1:  # a neutral: 8-bit rounding may part its channels
            return self.grey(sum(key) / 3 / 255)
        pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), key), self._flat)
        assert pixel is not None
        c, m, y, k = pixel.tobytes()
        return c / 255, m / 255, y / 255, k / 255


def _byte(value: float) -> int:
    return min(255, max(0, round(float(value) * 255)))


def _black_ink(press: Any, srgb: Any) -> list[float]:
    """For each 8-bit grey, the black ink (0 to 1) the press prints at its lightness.

    Both ramps go to CIELAB through the profiles; each grey's L* is found on the ink's
    L* ramp (which falls as ink rises) by linear interpolation. Greys darker than solid
    black ink get solid black.
    """
    from PIL import Image, ImageCms

    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
    greys = Image.frombytes("RGB", (256, 1), bytes(v for v in range(256) for _ in range(3)))
    inks = Image.frombytes("CMYK", (256, 1), bytes(b for v in range(256) for b in (0, 0, 0, v)))
    grey_l = ImageCms.profileToProfile(greys, srgb, lab, intent, outputMode="LAB")
    ink_l = ImageCms.profileToProfile(inks, press, lab, intent, outputMode="LAB")
    assert grey_l is not None and ink_l is not None
    wanted, ramp = grey_l.tobytes()[0::3], ink_l.tobytes()[0::3]
    return [_ink_for(lightness, ramp) for lightness in wanted]


def _ink_for(lightness: int, ramp: bytes) -> float:
    """Where ``lightness`` falls on the falling ``ramp`` (one L* per 8-bit ink), 0 to 1."""
    if lightness >= ramp[0]:
        return 0.0
    for ink in range(1, 256):
        if ramp[ink] <= lightness:
            step = ramp[ink - 1] - ramp[ink]
            return round((ink - 1 + (ramp[ink - 1] - lightness) / step) / 255, DIGITS)
    return 1.0


class Recolourer:
    """Turns the colours of a ``PdfWriter``'s pages and everything they draw into CMYK.

    Call ``page`` for each page: it converts what the page's resources hold (once per
    object, however many pages share it) and returns the page's own operations,
    converted, for the caller to wrap or add to before storing them.
    """

    def __init__(self, writer: PdfWriter, converter: Converter) -> None:
        self.writer, self.converter = writer, converter
        self._done: set[int] = set()

    def page(self, page: PageObject) -> list[Operation]:
        from pypdf.generic import ContentStream

        resources = _resolved(page.get("/Resources"))
        self._group(page)
        self._resources(resources, mask=False)
        content = page.get_contents()
        operations = ContentStream(content, self.writer).operations if content is not None else []
        return self._operations(operations, resources, mask=False)

    def _first(self, obj: Any) -> bool:
        """True the first time ``obj`` is met (objects are shared between pages)."""
        if id(obj) in self._done:
            return False
        self._done.add(id(obj))
        return True

    def _resources(self, resources: DictionaryObject | None, mask: bool) -> None:
        if resources is None or not self._first(resources):
            return
        # Soft masks first: WeasyPrint lists a mask's group among the XObjects too, and
        # it must be converted as a mask (grey), not as ink.
        for state in _values(resources, "/ExtGState"):
            soft = _resolved(state.get("/SMask"))
            if hasattr(soft, "get") and "/G" in soft:
                self._form(_resolved(soft["/G"]), mask=True)
                backdrop = [float(v) for v in soft.get("/BC", [])]
                if len(backdrop) in (1, 3):  # in the group's old space: now grey
                    soft[_name("/BC")] = _array(_numbers([_lightness(backdrop)]))
        for xobject in _values(resources, "/XObject"):
            if xobject.get("/Subtype") == "/Form":
                self._form(xobject, mask)
            elif xobject.get("/Subtype") == "/Image" and self._first(xobject):
                _picture(xobject, self.converter)
        for pattern in _values(resources, "/Pattern"):
            if pattern.get("/PatternType") == 1:
                self._form(pattern, mask)
            elif "/Shading" in pattern:
                self._shading(_resolved(pattern["/Shading"]), mask)
        for shading in _values(resources, "/Shading"):
            self._shading(shading, mask)

    def _form(self, form: StreamObject, mask: bool) -> None:
        """A form XObject or tiling pattern: its content, resources and group."""
        from pypdf.generic import ContentStream

        if not self._first(form):
            return
        resources = _resolved(form.get("/Resources"))
        self._group(form, mask)
        self._resources(resources, mask)
        content = ContentStream(form, self.writer)
        content.operations = self._operations(content.operations, resources, mask)
        form.set_data(content.get_data())

    def _group(self, owner: DictionaryObject, mask: bool = False) -> None:
        """A transparency group blends in CMYK (grey in a soft mask), never in RGB."""
        from pypdf.generic import NameObject

        group = _resolved(owner.get("/Group"))
        if hasattr(group, "get") and "/CS" in group:
            group[NameObject("/CS")] = NameObject("/DeviceGray" if mask else "/DeviceCMYK")

    def _operations(self, operations: list[Operation], resources: DictionaryObject | None,
                    mask: bool) -> list[Operation]:
        spaces = _resolved(resources.get("/ColorSpace")) if resources is not None else None
        converted: dict[bool, str | None] = {False: None, True: None}  # fill, stroke
        result: list[Operation] = []
        for operands, operator in operations:
            stroke = operator.isupper()
            if operator in (b"rg", b"RG", b"g", b"G"):
                kind = "rgb" if operator.lower() == b"rg" else "grey"
                result.append(self._set(operands, kind, stroke, mask))
            elif operator in (b"cs", b"CS"):
                kind = _kind(operands[0], spaces)
                converted[stroke] = kind if kind in ("rgb", "grey") else None
                result.append((operands, operator) if converted[stroke] is None
                              else ([_name("/DeviceGray" if mask else "/DeviceCMYK")], operator))
            elif operator in (b"sc", b"scn", b"SC", b"SCN") and converted[stroke]:
                ink, _ = self._set(operands, converted[stroke] or "", stroke, mask)
                result.append((ink, operator))
            elif operator == b"INLINE IMAGE":
                raise NotConvertible("an inline image cannot be made CMYK")
            else:
                result.append((operands, operator))
        return result

    def _set(self, operands: list[Any], kind: str, stroke: bool, mask: bool) -> Operation:
        """The operation setting the ink for an RGB or grey colour (grey in a mask)."""
        values = [float(value) for value in operands]
        if mask:
            return _numbers([_lightness(values)]), b"G" if stroke else b"g"
        ink = self.converter.colour(values) if kind == "rgb" else self.converter.grey(values[0])
        return _numbers(ink), b"K" if stroke else b"k"

    def _shading(self, shading: DictionaryObject, mask: bool) -> None:
        """An axial or radial gradient: its colour function's ends converted."""
        from pypdf.generic import NameObject

        if not self._first(shading):
            return
        function = _resolved(shading.get("/Function"))
        kind = _kind(shading.get("/ColorSpace"), None)
        if kind == "cmyk" and _outputs(function) == 3:
            # WeasyPrint 70 labels its RGB gradients DeviceCMYK under a CMYK output intent.
            kind = "rgb"
        if kind not in ("rgb", "grey"):
            if kind == "other":
                raise NotConvertible(f"a gradient in {shading.get('/ColorSpace')} cannot "
                                     "be made CMYK")
            return
        if shading.get("/ShadingType") not in (1, 2, 3) or "/Background" in shading:
            raise NotConvertible(f"a type {shading.get('/ShadingType')} gradient cannot be "
                                 "made CMYK")
        self._function(function, kind, mask)
        shading[NameObject("/ColorSpace")] = NameObject("/DeviceGray" if mask else "/DeviceCMYK")

    def _function(self, function: Any, kind: str, mask: bool) -> None:
        from pypdf.generic import ArrayObject, NameObject

        if not hasattr(function, "get") or function.get("/FunctionType") not in (2, 3):
            raise NotConvertible("a gradient with a sampled or per-channel colour function "
                                 "cannot be made CMYK")
        if function["/FunctionType"] == 3:
            for part in function["/Functions"]:
                self._function(_resolved(part), kind, mask)
            return
        size = 3 if kind == "rgb" else 1
        for end, default in (("/C0", [0.0] * size), ("/C1", [1.0] * size)):
            values = [float(v) for v in function.get(end, default)]
            ink, _ = self._set(values, kind, False, mask)
            function[NameObject(end)] = ArrayObject(ink)


def _outputs(function: Any) -> int:
    """How many colour components an exponential or stitching function gives."""
    if not hasattr(function, "get"):
        return 0
    if function.get("/FunctionType") == 3 and function.get("/Functions"):
        return _outputs(_resolved(function["/Functions"][0]))
    return len(function.get("/C0", function.get("/C1", [0.0])))


def _picture(image: StreamObject, converter: Converter) -> None:
    """An RGB or grey image XObject rewritten in place as CMYK (Flate-compressed).

    Its soft mask (transparency) stays as it is: a mask is not ink.
    """
    from pypdf.generic import NameObject, NumberObject

    kind = _kind(image.get("/ColorSpace"), None)
    if image.get("/ImageMask") or kind == "cmyk":
        return
    if kind not in ("rgb", "grey"):
        raise NotConvertible(f"an image in {image.get('/ColorSpace')} cannot be made CMYK")
    picture = converter.picture(image.decode_as_image())
    image.get_data()  # decoded with its old filter before the dictionary changes
    for key in ("/DecodeParms", "/Decode"):
        image.pop(key, None)
    image[NameObject("/Filter")] = NameObject("/FlateDecode")
    image[NameObject("/ColorSpace")] = NameObject("/DeviceCMYK")
    image[NameObject("/BitsPerComponent")] = NumberObject(8)
    image.set_data(picture.tobytes())


def _kind(space: Any, spaces: Any) -> str:
    """``rgb``, ``grey``, ``cmyk``, ``pattern`` or ``other``: what a colour space is."""
    space = _resolved(space)
    if isinstance(space, str) and spaces is not None and space in spaces:
        space = _resolved(spaces[space])
    if isinstance(space, list) and space:
        family = str(space[0])
        if family == "/ICCBased":
            count = int(_resolved(space[1]).get("/N", 0))
            return {1: "grey", 3: "rgb", 4: "cmyk"}.get(count, "other")
        if family == "/Pattern":
            return "pattern" if len(space) == 1 else "other"
        if family in ("/Separation", "/DeviceN"):  # [family, names, alternate, tint…]
            return "cmyk" if _kind(space[2], spaces) == "cmyk" else "other"
        space = family
    name = str(space)
    if name in RGB_SPACES:
        return "rgb"
    if name in GREY_SPACES:
        return "grey"
    return {"/DeviceCMYK": "cmyk", "/Pattern": "pattern"}.get(name, "other")


def _lightness(values: list[float]) -> float:
    """A grey for a soft mask: the colour's luminance (Rec. 709 weights), or the grey."""
    if len(values) == 1:
        return values[0]
    red, green, blue = values
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _numbers(values: Sequence[float]) -> list[Any]:
    from pypdf.generic import FloatObject

    return [FloatObject(round(value, DIGITS)) for value in values]


def _array(values: list[Any]) -> Any:
    from pypdf.generic import ArrayObject

    return ArrayObject(values)


def _name(name: str) -> Any:
    from pypdf.generic import NameObject

    return NameObject(name)


def _resolved(obj: Any) -> Any:
    return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj


def _values(resources: DictionaryObject, key: str) -> list[Any]:
    found = _resolved(resources.get(key))
    return [_resolved(value) for value in found.values()] if hasattr(found, "values") else []

