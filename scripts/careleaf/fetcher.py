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
#: Larger files are refused: a leaflet's logo or image is never this big.
MAX_RESOURCE_BYTES = 20_000_000


class SandboxFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.allowed = [folder.resolve() for folder in allowed]
        #: (url, reason) for every request that was refused.
        self.refused: list[tuple[str, str]] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self.refuse(url, "only files inside the project can be used")
        path = Path(url2pathname(urlsplit(url).path)).resolve()
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
