"""The QR code's mask, chosen by careleaf: the very code segno makes, module for module.

``render.qrmask`` scores segno's eight mask candidates itself; these tests compare
its codes with segno's own for addresses of every length a leaflet's may have, so
that every mask and many versions are chosen at least once.
"""

from __future__ import annotations

import random
import string

import pytest
import segno

from careleaf.render.qr import ERROR_LEVEL
from careleaf.render.qrmask import make_qr


def addresses() -> list[str]:
    """Leaflet-like addresses of 1 to 160 characters, a seed's worth of them."""
    rng = random.Random(18)
    letters = string.ascii_lowercase + "-0123456789"
    return [f"https://leaflets.example.org/{lang}/"
            + "".join(rng.choice(letters) for _ in range(rng.randint(1, 160))) + "/ebook"
            for lang in ("en", "es", "ar", "zh-Hans") for _ in range(25)]


def test_the_code_is_segnos_own() -> None:
    masks = set()
    for url in addresses():
        for error in (ERROR_LEVEL, "l", "h"):
            ours = make_qr(url, error)
            segnos = segno.make_qr(url, error=error, boost_error=False)
            assert ours.matrix == segnos.matrix, (url, error)
            assert (ours.mask, ours.version, ours.error) == (segnos.mask, segnos.version,
                                                             segnos.error)
            masks.add(segnos.mask)
    assert masks == set(range(8))  # every candidate won somewhere


@pytest.mark.parametrize("text", ["x", "HELLO WORLD 123", "https://a.example/" + "é" * 40])
def test_short_numeric_and_non_ascii_content_too(text: str) -> None:
    ours, segnos = make_qr(text, ERROR_LEVEL), segno.make_qr(text, error=ERROR_LEVEL,
                                                             boost_error=False)
    assert (ours.matrix, ours.mask) == (segnos.matrix, segnos.mask)
