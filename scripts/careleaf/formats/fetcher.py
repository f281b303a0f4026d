"""A URL fetcher for WeasyPrint that can only read files inside allowed folders.

WeasyPrint's default fetcher follows ``http://`` and reads any local file, so a
layout or a document could embed ``/etc/passwd`` or call out to the network.
``sandbox_fetcher`` makes one that answers ``data:`` URLs and ``file:`` URLs whose
real path (symlinks resolved) lies inside the project or a system font folder;
everything else is refused and remembered, so the build can report it as an error
instead of producing a PDF with something silently missing. One more folder is
allowed on purpose, and only to the print-shop stylesheet: ``PROFILE_FOLDERS``, where
the default press profile is.

The rules live in ``Sandbox``, which needs nothing of WeasyPrint; the fetcher class
that joins them to WeasyPrint's ``URLFetcher`` is made on first use, so importing this
module never loads WeasyPrint (a build with nothing to do must not pay for it).
"""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

from careleaf.design.brand import DEFAULT_PRINT_PROFILE

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
#: Where the default press profile is, for print-shop files only (``formats.printshop``
#: parses its stylesheet with these folders allowed; documents never get them).
#:
#: Why read it from the system rather than ship it: the profile is Ghostscript's
#: (``iccprofiles/`` of GhostPDL, "Copyright Artifex Software 2011"), which Debian's
#: copyright file puts under Ghostscript's AGPL-3+. careleaf is MIT, so the repository
#: does not carry a copy; each machine has its own from its ``ghostscript`` package. A
#: print-shop PDF embeds the profile unmodified, its copyright tag inside, as its
#: output intent (as PDF/X requires of any profile): conveying an unmodified copy,
#: which the AGPL permits with its notices kept (section 4), though the licence text
#: itself does not travel inside a PDF. That is why it is only the fallback: a clinic
#: names its print shop's profile in its brand (``print_profile``), which is what the
#: print shop wants anyway, and which also makes the colours the press's own.
PROFILE_FOLDERS = (DEFAULT_PRINT_PROFILE.parent,)
#: Documents see the project at this URL, wherever it is on disk: WeasyPrint names
#: images after their URL, so real paths would make PDFs differ between checkouts.
PROJECT_URL = "file:///careleaf-project/"


def project_url(root: Path, path: Path) -> str:
    """The URL under which a document sees ``path`` of the project at ``root``."""
    relative = path.relative_to(root).as_posix()
    return PROJECT_URL + ("" if relative == "." else relative + ("/" if path.is_dir() else ""))


#: Larger files are refused: a leaflet's logo or image is never this big.
MAX_RESOURCE_BYTES = 20_000_000


class Sandbox:
    """What a fetcher may read: files inside ``root`` or the ``allowed`` folders; and
    what it refused to read, as (url, reason), for the build to report."""

    def __init__(self, root: Path, allowed: Iterable[Path]) -> None:
        self.root = root.resolve()
        self.allowed = [self.root, *(folder.resolve() for folder in allowed)]
        #: (url, reason) for every request that was refused.
        self.refused: list[tuple[str, str]] = []

    def local_file(self, url: str) -> Path:
        """The file a ``file:`` URL names (``PROJECT_URL`` is the project), if it may
        be read; otherwise the URL is refused."""
        # Here, not at the top: urllib.request loads http.client and more (12 ms),
        # which a build with nothing to do would pay for.
        from urllib.request import url2pathname

        local = url2pathname(urlsplit(url).path)
        virtual = url2pathname(urlsplit(PROJECT_URL).path)
        if local.startswith(virtual):
            local = str(self.root / local.removeprefix(virtual))
        path = Path(local).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            self.refuse(url, "it is outside the project")
        if not path.is_file():
            self.refuse(url, "file not found")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            self.refuse(url, f"larger than {MAX_RESOURCE_BYTES // 1_000_000} MB")
        return path

    def refuse(self, url: str, reason: str) -> NoReturn:
        """Remember the refusal, and tell WeasyPrint: it logs the error and leaves the
        resource out (the message lets ``formats.pdf`` tell it from a failure)."""
        self.refused.append((url, reason))
        raise ValueError(f"careleaf refused to load {url}: {reason}")


def sandbox_fetcher(root: Path, allowed: Iterable[Path]) -> Sandbox:
    """A WeasyPrint URL fetcher that reads only ``data:`` URLs and what ``Sandbox``
    allows; pass it as ``url_fetcher``, then read its ``refused``."""
    return _fetcher_class()(root, allowed)


@functools.cache
def _fetcher_class() -> type[Sandbox]:
    """The fetcher class, made once: it subclasses WeasyPrint's ``URLFetcher``, so it
    cannot exist before WeasyPrint is imported."""
    from weasyprint import URLFetcher

    class SandboxFetcher(Sandbox, URLFetcher):  # type: ignore[misc]
        def __init__(self, root: Path, allowed: Iterable[Path]) -> None:
            URLFetcher.__init__(self, allowed_protocols=("file", "data"),
                                allow_redirects=False)
            Sandbox.__init__(self, root, allowed)

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                self.refuse(url, "only files inside the project can be used")
            return _response(self.local_file(url))

    return SandboxFetcher


def _response(path: Path) -> URLFetcherResponse:
    """The file at ``path`` as WeasyPrint's answer to a request, typed by its name."""
    from weasyprint.urls import URLFetcherResponse

    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                              headers={"Content-Type": content_type})
