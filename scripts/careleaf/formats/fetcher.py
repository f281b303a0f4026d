"""A URL fetcher for WeasyPrint that can only read files inside allowed folders.

WeasyPrint's default fetcher follows ``http://`` and reads any local file, so a
layout or a document could embed ``/etc/passwd`` or call out to the network.
This one answers ``data:`` URLs and ``file:`` URLs whose real path (symlinks
resolved) lies inside the project or a system font folder; everything else is
refused and remembered, so the build can report it as an error instead of
producing a PDF with something silently missing.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
#: Documents see the project at this URL, wherever it is on disk: WeasyPrint names
#: images after their URL, so real paths would make PDFs differ between checkouts.
PROJECT_URL = "file:///careleaf-project/"


def project_url(root: Path, path: Path) -> str:
    """The URL under which a document sees ``path`` of the project at ``root``."""
    relative = path.relative_to(root).as_posix()
    return PROJECT_URL + ("" if relative == "." else relative + ("/" if path.is_dir() else ""))
#: Larger files are refused: a leaflet's logo or image is never this big.
MAX_RESOURCE_BYTES = 20_000_000


class SandboxFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, root: Path, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()
        self.allowed = [self.root, *(folder.resolve() for folder in allowed)]
        #: (url, reason) for every request that was refused.
        self.refused: list[tuple[str, str]] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self.refuse(url, "only files inside the project can be used")
        local = url2pathname(urlsplit(url).path)
        virtual = url2pathname(urlsplit(PROJECT_URL).path)
        if local.startswith(virtual):
            local = str(self.root / local.removeprefix(virtual))
        path = Path(local).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            return self.refuse(url, "it is outside the project")
        if not path.is_file():
            return self.refuse(url, "file not found")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            return self.refuse(url, f"larger than {MAX_RESOURCE_BYTES // 1_000_000} MB")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                  headers={"Content-Type": content_type})

    def refuse(self, url: str, reason: str) -> URLFetcherResponse:
        self.refused.append((url, reason))
        raise ValueError(f"careleaf refused to load {url}: {reason}")
