"""A leaflet too long for a tri-fold: the error says how much to cut, and how to leave
the layout out (``layouts:``)."""

from __future__ import annotations

import re

from conftest import TmpProject, long_leaflet


def test_the_overflow_error_says_how_much_and_how_to_leave_the_layout_out(
        minimal: TmpProject) -> None:
    long_leaflet(minimal, 12)
    result = minimal.run("build", "--layout", "trifold-a4")
    assert result.exit_code == 1
    source = minimal.root / "source" / "en" / "minimal.md"
    line = next(line for line in result.stderr.splitlines() if "does not fit" in line)
    assert line.startswith(f"{source}: error: does not fit the trifold-a4 layout")
    found = re.search(r"About (\d+) lines \((\d+) words\) do not fit even at 9 pt type: "
                      r"'Treatment' (\d+) lines "
                      r"\((\d+) words\), 'When to see a doctor' (\d+) lines? \((\d+) words?\)",
                      line)
    assert found, line
    total, words, *each = (int(n) for n in found.groups())
    assert total == each[0] + each[2] and words == each[1] + each[3]
    # Twelve extra paragraphs of 150 words (1,800): at 9 pt, with cards broken across
    # panels, eight of them fit (``test_trifold_panels``); some 450 words do not.
    assert 300 < words < 900 and total > 20
    assert re.search(r"give it 'layouts: \[[^]]*\ba4\b[^]]*\]' in its front matter", line)
    assert "trifold-a4," not in line.split("layouts: [")[1]
