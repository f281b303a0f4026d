"""segno's QR code, with its data mask chosen in a fraction of segno's time.

A QR code's data is XORed with one of eight mask patterns, the one whose result
scores the lowest penalty (ISO/IEC 18004 7.8.3). segno scores the eight candidates
module by module in Python: three quarters of the time it takes to make a leaflet's
code, which every print layout's render makes anew. ``make_qr`` encodes once with
mask 0, scores all eight candidates a whole row at a time (bytes, integers as bit
sets, regular expressions) by segno's own rules, to the same numbers, then swaps the
chosen mask and its format information in: the whole code in under half of segno's
time. The code is the one ``segno.make_qr`` gives, module for module (tests compare
them); a symbol segno would score otherwise (a Micro QR code, a module that is
neither light nor dark) is left to segno itself.

It uses segno's encoder module (``encode``, ``make_matrix``, the pattern and format
functions), whose version the project pins.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import segno

#: A run of five or more equal modules (N1: 3 points, and 1 more for each beyond 5).
_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
#: Dark, light, dark x3, light, dark (N3: 40 points with 4 light modules on a side).
_FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))
_BITS = bytes.maketrans(b"\x00\x01", b"01")


def make_qr(url: str, error: str) -> segno.QRCode:
    """``segno.make_qr(url, error=error, boost_error=False)``, the same code, sooner."""
    import segno

    encoder, code_of = _encoder(), _code_class()
    first = encoder.encode(url, error, None, None, 0, None, False, False, boost_error=False)
    size = len(first.matrix)
    if size < 21 or any(value > 1 for row in first.matrix for value in row):
        return segno.make_qr(url, error=error, boost_error=False)  # not ours to score
    region = _region(size)
    # Unmasked: the data as placed, the rest (function patterns, format) as encoded.
    data = [_number(row) ^ zero for row, zero in zip(first.matrix, region.masks[0],
                                                     strict=True)]
    scores = [_penalty(region.scored(data, masks)) for masks in region.masks]
    best = scores.index(min(scores))  # the first of the lowest, as segno picks
    if best == 0:
        code: segno.QRCode = code_of(first)
        return code
    matrix = tuple(bytearray((row ^ mask).to_bytes(size, "big"))
                   for row, mask in zip(data, region.masks[best], strict=True))
    encoder.add_format_info(matrix, first.version, first.error, best)
    code = code_of(first._replace(matrix=matrix, mask=best))
    return code


class _Region:
    """The modules of a ``size`` QR code that carry data (masks apply there only), and
    each mask over them. A row is an integer with one byte per module, so that one
    XOR or AND handles a whole row."""

    def __init__(self, size: int) -> None:
        encoder = _encoder()
        template = encoder.make_matrix(size, size)
        encoder.add_finder_patterns(template, size, size)
        encoder.add_alignment_patterns(template, size, size)
        self.size = size
        #: 0xFF where a module carries data (segno's "encoding region"), else 0.
        self.data = [_number(bytes(0xFF if value > 1 else 0 for value in row))
                     for row in template]
        #: The rest as segno scores it: function patterns, format and version areas light.
        self.fixed = [_number(bytes(0 if value > 1 else value for value in row))
                      for row in template]
        #: Per mask, per row: 1 where the mask flips a data module.
        self.masks = [[_number(bytes(1 if inside > 1 and mask(i, j) else 0
                                     for j, inside in enumerate(row)))
                       for i, row in enumerate(template)]
                      for mask in encoder.get_data_mask_functions(False)]

    def scored(self, data: list[int], masks: list[int]) -> list[bytes]:
        """The symbol masked as segno scores it, before its format information."""
        return [(((row ^ mask) & inside) | fixed).to_bytes(self.size, "big")
                for row, mask, inside, fixed in zip(data, masks, self.data, self.fixed,
                                                    strict=True)]


_REGIONS: dict[int, _Region] = {}


def _encoder() -> Any:
    """segno's encoder module: not in its typed interface, so typed here as Any."""
    from segno import encoder

    return encoder


def _code_class() -> Any:
    """``segno.QRCode``, which is made from an encoder's code (its stub says otherwise)."""
    import segno

    return segno.QRCode


def _region(size: int) -> _Region:
    return _REGIONS.get(size) or _REGIONS.setdefault(size, _Region(size))


def _number(row: bytes | bytearray) -> int:
    return int.from_bytes(row, "big")


def _penalty(rows: list[bytes]) -> int:
    """segno's ``evaluate_mask``: N1 + N2 + N3 + N4 of a symbol of light (0) and dark (1)."""
    size = len(rows)
    lines = [*rows, *(bytes(column) for column in zip(*rows, strict=True))]
    runs = _RUN.findall(b"\x02".join(lines))  # 2 ends a run: no module is 2
    n1 = sum(map(len, runs)) - 2 * len(runs)
    # Four light modules between lines stand for the end of a line, where segno
    # looks at fewer than four.
    n3 = _finder_like(bytes(4).join(lines))
    n2 = 3 * sum(_square_count(above, below, size)
                 for above, below in pairwise(int(row.translate(_BITS), 2) for row in rows))
    dark = sum(row.count(1) for row in rows)
    n4 = 10 * int(abs(float(dark) / size ** 2 * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _square_count(above: int, below: int, size: int) -> int:
    """How many 2x2 squares of one colour two rows (bit sets, 1 dark) make: where a
    module and its neighbour are each as above them, and alike."""
    as_above = ~(above ^ below) & ((1 << size) - 1)
    alike = ~(below ^ (below >> 1))
    return (as_above & (as_above >> 1) & alike & ((1 << (size - 1)) - 1)).bit_count()


def _finder_like(lines: bytes) -> int:
    """segno's ``n3_pattern_occurrences``: 40 for each 1:1:3:1:1 with light beside it."""
    count, index = 0, lines.find(_FINDER_LIKE)
    while index != -1:
        offset = index + 7
        if not any(lines[max(index - 4, 0):index]) or not any(lines[offset:offset + 4]):
            count += 40
        else:  # the next possible match starts at the middle dark run
            offset = index + 4
        index = lines.find(_FINDER_LIKE, offset)
    return count
