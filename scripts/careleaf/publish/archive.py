"""Superseded versions stay findable: what the site published, kept when it leaves.

``careleaf publish`` remembers, per brand, which version of each leaflet the site
published and the files it offered (``build/.careleaf-published.json``). When a
leaflet's published version is about to leave the site (a new version replaces it,
or the gate now refuses it), its files are first kept under
``build/archive/<lang>/<id>/<version>/`` with ``record.json``: who approved that
version and when, when it was published and when it left, why, and the sha256 of
each file. The files come from the site folder itself: the site holds links to (or
copies of) the outputs as they were published, which a rebuild replaces rather than
overwrites, so the archive keeps exactly what patients could download.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from careleaf.errors import Report
from careleaf.files import make_folder, write_atomic
from careleaf.project import Project
from careleaf.publish.gate import Decision, Previous

NAME = ".careleaf-published.json"


@dataclass(frozen=True)
class Published:
    """One leaflet as the site published it: its version, approval and files."""

    version: str
    approved_by: str
    approved_on: str
    reviewed: str
    since: str
    #: Each file offered, by its name in the site folder (``<lang>/<id>/<file>``).
    files: tuple[str, ...]
    #: The hash of the source published ("" in a record older than this field).
    source_sha: str = ""

    def previous(self) -> Previous:
        return Previous(self.version, self.approved_on, self.source_sha)


def archive_dir(project: Project, brand_name: str) -> Path:
    return project.brand_dir(brand_name) / "archive"


def load_published(project: Project, brand_name: str) -> dict[str, Published]:
    """What the site published last time, by ``<lang>/<id>``."""
    try:
        data: Any = json.loads((project.brand_dir(brand_name) / NAME).read_text("utf-8"))
        return {str(key): Published(**{f: str(value[f]) for f in _TEXT},
                                    files=tuple(map(str, value["files"])),
                                    source_sha=str(value.get("source_sha", "")))
                for key, value in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


_TEXT = ("version", "approved_by", "approved_on", "reviewed", "since")


def now_published(before: dict[str, Published], decisions: list[Decision], today: date
                  ) -> dict[str, Published]:
    """What the site publishes after this run (``since`` kept for a version unchanged)."""
    after = {}
    for decision in decisions:
        leaflet = decision.leaflet
        if leaflet is None or not decision.published:
            continue
        key = leaflet.key
        kept = before.get(key)
        same = kept is not None and not _replaced(kept, leaflet.version, decision.source_sha)
        since = kept.since if kept and same else today.isoformat()
        after[key] = Published(leaflet.version, leaflet.approved_by or "",
                               str(leaflet.approved_on or ""), leaflet.reviewed.isoformat(),
                               since, tuple(sorted(f"{key}/{f.name}" for f in decision.files)),
                               decision.source_sha)
    return after


def archive_superseded(project: Project, brand_name: str, site: Path,
                       before: dict[str, Published], after: dict[str, Published],
                       decisions: dict[str, Decision], today: date, report: Report) -> bool:
    """Keep each published version that is leaving the site; call before it is rewritten.
    False (with an error) if one could not be kept: the site must then stay as it is."""
    for key, old in sorted(before.items()):
        new = after.get(key)
        if new is not None and not _replaced(old, new.version, new.source_sha):
            continue
        decision = decisions.get(key)
        why = (f"replaced by version {new.version}" if new and new.version != old.version
               else f"replaced by the text approved on {new.approved_on}" if new
               else decision.reason if decision else "its source was removed")
        # A version approved again keeps each approved text apart.
        name = old.version if not new or new.version != old.version else \
            f"{old.version}-approved-{old.approved_on}"
        folder = archive_dir(project, brand_name) / key / _safe(name)
        try:
            _keep(site, folder, old, why, today)
        except OSError as exc:
            report.error(folder, None, f"could not keep version {old.version} of {key}: "
                         f"{exc.strerror or exc}; the site is left as it was (free some "
                         "space, or check the folder, and publish again)")
            return False
    return True


def _replaced(old: Published, version: str, source_sha: str) -> bool:
    """Another version, or the same version's text approved again (a record older than
    the source hashes cannot tell, and counts as the same)."""
    return version != old.version or bool(old.source_sha and source_sha != old.source_sha)


def save_published(project: Project, brand_name: str, after: dict[str, Published]) -> None:
    data = {key: {**{f: getattr(p, f) for f in _TEXT}, "files": list(p.files),
                  "source_sha": p.source_sha}
            for key, p in sorted(after.items())}
    write_atomic(project.brand_dir(brand_name) / NAME, json.dumps(data, indent=1).encode())


def _keep(site: Path, folder: Path, old: Published, why: str, today: date) -> None:
    hashes = {}
    for name in old.files:
        copy = site / name
        if not copy.is_file():
            continue
        target = folder / Path(name).name
        if not target.is_file():
            make_folder(folder)
            _link_or_copy(copy, target)
        hashes[target.name] = hashlib.sha256(target.read_bytes()).hexdigest()
    if not hashes:
        return
    record = {"version": old.version, "approved_by": old.approved_by,
              "approved_on": old.approved_on, "reviewed": old.reviewed,
              "published": old.since, "withdrawn": today.isoformat(), "why": why,
              "files": hashes}
    write_atomic(folder / "record.json", json.dumps(record, indent=1).encode())


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _safe(version: str) -> str:
    """A version as a folder name: ``1.1``; anything odd in it becomes ``_``."""
    return "".join(c if c.isalnum() or c in ".-_" else "_" for c in version) or "_"
