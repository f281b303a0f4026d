"""WeasyPrint's log, collected: what it warned about, and which resources it left out.

WeasyPrint carries on without a resource it cannot load or draw (an image, a
stylesheet, a font, an attachment) and says so only in its log; a character no
installed font has is drawn as an empty box, with a warning. ``weasyprint_log``
collects these records instead of letting them reach stderr, so ``formats.pdf`` can
fail the leaflet (with an error at the source line that uses a failed image) or pass
the warnings on, at the stylesheet line where WeasyPrint names one.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

from careleaf.errors import Report
from careleaf.formats.fetcher import PROJECT_URL
from careleaf.formats.job import Job

#: Where in a stylesheet WeasyPrint's warning is: ``Ignored `colr: red` at 3:5, …``.
_CSS_POSITION = re.compile(r" at (\d+):\d+\b")


def css_line(message: str) -> int | None:
    """The stylesheet line a WeasyPrint warning names (its last ``at line:column``)."""
    found = _CSS_POSITION.findall(message)
    return int(found[-1]) if found else None


#: How WeasyPrint's warning for a character without a glyph begins; its arguments
#: are the character and its code point.
NOTDEF_WARNING = ".notdef glyph rendered"


class WeasyLog(logging.Handler):
    """WeasyPrint's warnings while it is listened to: messages, missing glyphs, failures."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        #: Characters drawn as an empty box: no installed font has them.
        self.missing: list[str] = []
        #: (url, reason) of every resource WeasyPrint could not load or draw.
        self.failures: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(NOTDEF_WARNING) and isinstance(record.args, tuple):
            self.missing.append(str(record.args[0]))
            return
        message = record.getMessage()
        if "careleaf refused" in message:  # already reported as an error
            return
        if (failure := _resource_failure(record)) is not None:
            self.failures.append(failure)
        else:
            self.messages.append(message)


#: How WeasyPrint's messages begin when it leaves out a resource: it logs the failure
#: and carries on without it. The record's arguments hold the URL and the exception,
#: whose own message may be empty (the reason is then its cause).
RESOURCE_FAILURES = ("Failed to load ", "Failed to render SVG image", "Font-face ",
                     "Unsupported stylesheet type")
#: Pillow names the in-memory file it read from, with an address that differs every run.
_OBJECT_ADDRESS = re.compile(r"\s*<[\w.]+ object at 0x[0-9a-f]+>")


def _resource_failure(record: logging.LogRecord) -> tuple[str, str] | None:
    """(url, reason) when ``record`` says WeasyPrint left a resource out, else None."""
    if not str(record.msg).startswith(RESOURCE_FAILURES):
        return None
    args = record.args if isinstance(record.args, tuple) else ()
    names = [str(arg) for arg in args if isinstance(arg, str)]
    errors = [arg for arg in args if isinstance(arg, BaseException)]
    if errors:
        reason = _reason(errors[0])
    elif str(record.msg).startswith("Failed to render"):
        reason = "WeasyPrint failed while drawing it"
    else:
        reason = record.getMessage()
    return (names[-1] if names else ""), reason  # the URL is the last text argument


def _reason(error: BaseException) -> str:
    """The first message along an exception's causes: WeasyPrint's ImageLoadingError
    is empty and carries Pillow's or the XML parser's error as its cause."""
    seen: BaseException | None = error
    while seen is not None:
        if text := _OBJECT_ADDRESS.sub("", str(seen)).strip():
            return text
        seen = seen.__cause__ or seen.__context__
    return type(error).__name__


def load_failures(job: Job, failures: list[tuple[str, str]]) -> Report:
    """An error for each resource WeasyPrint left out: at the source line for an image
    of the leaflet, else of the layout (its stylesheets, fonts, brand logo)."""
    report = Report()
    for url, reason in dict.fromkeys(failures):
        uses = [image for image in job.leaflet.images if PROJECT_URL + image.src == unquote(url)]
        for image in uses:  # every line that shows it
            # As the writer wrote it: relative to the source's folder.
            shown = os.path.relpath(job.project.root / image.src, job.leaflet.path.parent)
            report.error(job.leaflet.path, image.line,
                         f"image '{shown}' cannot be drawn in the {job.layout.name} PDF: "
                         f"{reason}; open it in a drawing program and save it again")
        if not uses:
            shown = f"'{unquote(url).removeprefix(PROJECT_URL)}'" if url else "an attachment"
            report.error(job.layout.folder, None,
                         f"could not load {shown} for {job.leaflet.key}: {reason}; "
                         "fix or replace that file")
    return report


@contextmanager
def weasyprint_log() -> Iterator[WeasyLog]:
    """Collect WeasyPrint's log warnings instead of letting them go to stderr."""
    logger = logging.getLogger("weasyprint")
    handler = WeasyLog()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
