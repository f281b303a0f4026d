"""The checks of ``careleaf check``: one record each, in the order the reports list them.

A check's name tags each problem it finds (``Diagnostic.check``), names its column in
``check.json`` and its test case in ``junit.xml``, is a value of the ``check`` enum of
``check-report.schema.json`` (``tests/test_records.py`` holds the two equal), and, for
a skippable check, a choice of ``careleaf check --skip``. Adding a check is adding a
record here (and its name to the schema, which the test asks for).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One check of ``careleaf check``, as the reports and the command line know it."""

    #: The tag of its problems, and its name in the reports and on the command line.
    name: str
    #: A content gate ``careleaf check --skip NAME`` may leave out, e.g. while drafting.
    skippable: bool = False
    #: Made, and reported for each leaflet, by every run (unless skipped). The others are
    #: reported only by a run that made them: EPUBCheck and Ace when asked for; the
    #: glossary's problems are not about one leaflet, so they are reported among the
    #: others (``other_diagnostics``).
    every_run: bool = True


#: Loading and validating a source; a problem tagged with no check is one of these.
SOURCE = Check("source")
TRANSLATION = Check("translation")
REVIEW = Check("review", skippable=True)
REQUIRED_SECTIONS = Check("required-sections", skippable=True)
READABILITY = Check("readability", skippable=True)
PLAIN_LANGUAGE = Check("plain-language", skippable=True)
GLOSSARY = Check("glossary", every_run=False)
COMPLETENESS = Check("completeness")
PAGE_LIST = Check("page-list")
#: A tri-fold panel or a print layout's last page more than 60% empty (``check/fill.py``).
FILL = Check("fill", skippable=True)
EPUBCHECK = Check("epubcheck", every_run=False)
ACE = Check("ace", every_run=False)

#: Every check, in report order.
CHECKS = (SOURCE, TRANSLATION, REVIEW, REQUIRED_SECTIONS, READABILITY, PLAIN_LANGUAGE,
          GLOSSARY, COMPLETENESS, PAGE_LIST, FILL, EPUBCHECK, ACE)
#: The names ``careleaf check --skip`` accepts.
SKIPPABLE = tuple(check.name for check in CHECKS if check.skippable)
