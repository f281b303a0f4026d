"""A task run on a machine that shares no disk with the project: a Dask worker's side.

A worker is sent, once per build, the project's ``layouts/`` folder (templates,
stylesheets, fonts, brands, messages) as a ``Bundle`` of bytes, and with each task the
leaflet's own images. It lays the bundle out under a folder of its own, named by the
bundle's digest (``worker_root``), and a leaflet's images in a folder named by them too
(``with_images``, the bundle's files linked into it, so two builds whose images differ
at one name never share a folder); it runs the task there: the task's paths, which
name the client's project, are moved to that folder (``rebase``) and its diagnostics
moved back. It makes bytes (``tasks.make``) and writes nothing of the build: the
client writes what comes back, atomically, and records it (``pipeline.cluster``).
These folders stay in the machine's temporary folder, for the next build.

Byte-identical outputs need the same code, renderers and fonts on every machine.
``identity`` says what a worker has; a task refuses to run on a worker whose identity
is not the client's (``Refused``), and the client refuses such a worker before the
build starts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from careleaf.errors import CareleafError, Diagnostic, Report
from careleaf.pipeline.manifest import toolchain_digest
from careleaf.pipeline.tasks import Made, PagesWork, RenderWork, Result, Work, make

T = TypeVar("T")
#: No project file sent to a worker is anywhere near this (a layout's fonts are the
#: largest); a bigger one is a mistake, and an error at it.
MAX_BUNDLE_FILE = 64_000_000


@dataclasses.dataclass(frozen=True)
class Bundle:
    """The project's files every task may read, by project-relative name, and a digest
    of them all: a worker lays out each bundle once."""

    files: tuple[tuple[str, bytes], ...]
    digest: str

    @classmethod
    def of(cls, root: Path, folders: tuple[str, ...] = ("layouts",)) -> Bundle:
        """Every regular file under ``folders`` of ``root`` (symbolic links skipped: a
        link could name a file outside the project)."""
        found = sorted((path.relative_to(root).as_posix(), path)
                       for folder in folders for path in (root / folder).rglob("*")
                       if path.is_file() and not path.is_symlink())
        files = tuple((name, path.read_bytes()) for name, path in found)
        sha = hashlib.sha256()
        for name, data in files:
            sha.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return cls(files, sha.hexdigest())


class Refused(Exception):
    """This worker's code, renderers or fonts are not the client's."""


def identity() -> dict[str, str]:
    """What must be the same on every machine for outputs to be byte-identical: the
    toolchain digest (careleaf's rendering code and the renderers' versions), the font
    set fontconfig offers WeasyPrint, and Python's version; and the rest of careleaf's
    code, which makes and sends back the bytes."""
    return {"toolchain": toolchain_digest(), "fonts": font_digest(),
            "python": platform.python_version(), "careleaf": code_digest()}


def code_digest() -> str:
    """A digest of every module of careleaf, by name and bytes."""
    package, sha = Path(__file__).parents[1], hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def font_digest() -> str:
    """A digest of every font fontconfig knows, by file and version."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}|%{fontversion}|%{style}\n"],
                                capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "no fontconfig"
    return hashlib.sha256(b"\n".join(sorted(listed.splitlines()))).hexdigest()


_IDENTITY: dict[str, str] = {}


def run(work: Work, inputs: Mapping[str, Result], bundle: Bundle,
        images: tuple[tuple[str, bytes], ...], client_root: str, expected: dict[str, str]
        ) -> tuple[Made | None, list[Diagnostic], float]:
    """Run ``work`` here (a Dask worker): what it made, its diagnostics (naming the
    client's files) and its seconds. ``Refused`` if this worker is not the client's kind."""
    if not _IDENTITY:
        _IDENTITY.update(identity())
    if expected != _IDENTITY:
        raise Refused(differences(expected, _IDENTITY))
    started, report, made = time.perf_counter(), Report(), None
    old, new = Path(client_root), with_images(worker_root(bundle), images)
    try:
        made = make(rebase(work, old, new), rebase(dict(inputs), old, new), report)
    except CareleafError as exc:
        report.extend(exc.report)
    diagnostics = [_moved_back(diagnostic, old, new) for diagnostic in report.diagnostics]
    return rebase(made, new, old), diagnostics, time.perf_counter() - started


def differences(mine: dict[str, str], theirs: dict[str, str]) -> str:
    """What differs between two identities, in words."""
    names = {"toolchain": "careleaf's rendering code or the renderers (WeasyPrint...)",
             "fonts": "the fonts installed", "python": "Python's version",
             "careleaf": "careleaf's code"}
    return "; ".join(f"{names.get(key, key)} ({mine.get(key, '-')[:12]} here, "
                     f"{theirs.get(key, '-')[:12]} there)"
                     for key in sorted(set(mine) | set(theirs)) if mine.get(key) != theirs.get(key))


def worker_root(bundle: Bundle) -> Path:
    """The bundle's files laid out under a folder of this machine's, once per bundle."""
    base = Path(tempfile.gettempdir()) / f"careleaf-worker-{os.getuid()}"
    root = base / bundle.digest[:32]
    if not (root / ".complete").exists():
        base.mkdir(mode=0o700, exist_ok=True)
        _finished(Path(tempfile.mkdtemp(dir=base)), root, bundle.files)
    return root


def with_images(root: Path, images: tuple[tuple[str, bytes], ...]) -> Path:
    """A folder with the bundle's files (linked, not copied) and a leaflet's images, named
    by them all: two builds whose images differ at one name never share one."""
    if not images:
        return root
    sha = hashlib.sha256(root.name.encode())
    for name, data in images:
        sha.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    folder = root.with_name(f"{root.name[:16]}-{sha.hexdigest()[:32]}")
    if (folder / ".complete").exists():
        return folder
    staging = Path(tempfile.mkdtemp(dir=root.parent))
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".complete":
            target = staging / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    return _finished(staging, folder, images)


def _finished(staging: Path, folder: Path, files: tuple[tuple[str, bytes], ...]) -> Path:
    """``files`` written into ``staging``, then renamed to ``folder`` whole (unless another
    process of this machine made it first)."""
    for name, data in files:
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (staging / ".complete").touch()
    try:
        staging.rename(folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def images_of(work: Work, root: Path) -> tuple[tuple[str, bytes], ...]:
    """The bytes of the images an output's leaflet shows, by project-relative name."""
    if not isinstance(work, (RenderWork, PagesWork)):
        return ()
    return tuple((image.path.relative_to(root).as_posix(), image.path.read_bytes())
                 for image in work.job.leaflet.images if image.path.is_relative_to(root))


def _moved_back(diagnostic: Diagnostic, old: Path, new: Path) -> Diagnostic:
    return dataclasses.replace(rebase(diagnostic, new, old),
                               message=diagnostic.message.replace(str(new), str(old)))


def rebase(value: T, old: Path, new: Path) -> T:
    """``value`` with every path under ``old`` moved under ``new``: through frozen
    dataclasses, tuples, lists and dicts; anything else is kept as it is."""
    return _rebase(value, old, new)  # type: ignore[no-any-return]


def _rebase(value: Any, old: Path, new: Path) -> Any:
    if isinstance(value, Path):
        return new / value.relative_to(old) if value.is_relative_to(old) else value
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if field.init:
                now = getattr(value, field.name)
                moved = _rebase(now, old, new)
                if moved is not now:
                    changes[field.name] = moved
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = tuple(_rebase(item, old, new) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, list):
        return [_rebase(item, old, new) for item in value]
    if isinstance(value, dict):
        return {_rebase(key, old, new): _rebase(item, old, new) for key, item in value.items()}
    return value
