"""The build manifest: which inputs each output was last built from.

For every output, ``build/.careleaf-manifest.json`` keeps a hash of everything
that can change it: the source, its images, the layout folders along the
``extends`` chain, careleaf's own code and the versions of the renderers. An
output whose hash matches and whose file is still there is not rebuilt, so a
build with nothing to do never even imports WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from careleaf.model import Leaflet
from careleaf.project import Project

RENDERERS = ("weasyprint", "pydyf", "ebooklib", "jinja2", "markdown-it-py", "fonttools")


def toolchain_digest() -> str:
    """careleaf's code and the renderer versions: a change here rebuilds everything."""
    sha = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in RENDERERS:
        sha.update(f"{name}=={metadata.version(name)}\0".encode())
    return sha.hexdigest()


def input_digest(leaflet: Leaflet, layout_digest: str, toolchain: str) -> str:
    sha = hashlib.sha256(f"{toolchain}\0{layout_digest}\0".encode())
    sha.update(leaflet.path.read_bytes())
    for image in leaflet.images:
        sha.update(b"\0" + image.src.encode() + b"\0" + image.path.read_bytes())
    return sha.hexdigest()


class Manifest:
    def __init__(self, project: Project) -> None:
        self.path = project.build_dir / ".careleaf-manifest.json"
        self.root = project.build_dir
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries: dict[str, str] = dict(loaded.get("outputs", {}))
        except (OSError, ValueError, AttributeError):
            self.entries = {}

    def key(self, output: Path) -> str:
        return output.relative_to(self.root).as_posix()

    def is_fresh(self, output: Path, digest: str) -> bool:
        return output.is_file() and self.entries.get(self.key(output)) == digest

    def record(self, output: Path, digest: str) -> None:
        self.entries[self.key(output)] = digest

    def save(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"outputs": dict(sorted(self.entries.items()))}, indent=1)
        write_atomic(self.path, text.encode())


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` so that it is either the old file or the whole new one, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
