"""History: a source's earlier versions, read from the project's own git repository
(or from an older copy of the file).

``careleaf diff`` and the translations' staleness warning ask it for a source as it
was at a git revision (``HEAD~3``, a tag) or at a front-matter ``version``. It runs
the ``git`` command, and only commands that read the local repository (``rev-parse``,
``log``, ``cat-file``): no network, no remote, nothing written. Each failure becomes a
``CareleafError`` at the source that says what to do instead.

Version X is the commit that *set* ``version: X`` (the oldest of the newest run of
commits at X), not the last commit before the number moved on: edits committed while
the number stayed X were not in the version that was approved or translated as X,
so they count among the changes since X. A staleness warning that names too many
items is safer than one that misses an item a translator must update.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from careleaf.errors import CareleafError, Diagnostic, Location, Report
from careleaf.files import UnreadableFile, read_regular
from careleaf.project import MAX_SOURCE_BYTES, Project
from careleaf.source.frontmatter import parse as parse_front_matter
from careleaf.source.frontmatter import split
from careleaf.source.load import decode_source, load_text
from careleaf.source.model import Leaflet

#: git reads a local repository in milliseconds; longer means it is stuck (a lock, a
#: network file system), and a command must not hang on it.
GIT_TIMEOUT = 60
#: No prompt may wait for a user, no lock file is taken, and git's messages stay English.
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
#: A user's ``log.showSignature`` would mix GnuPG's output into the commit list.
_GIT_CONFIG = ("-c", "log.showSignature=false")
#: Set by git for its hooks (a pre-commit hook that runs ``careleaf check``), relative to
#: another folder than the one git runs in here: git finds the file's repository itself.
_LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")


@dataclass(frozen=True)
class Revision:
    """A source as committed: its text at one commit, and how it was asked for."""

    commit: str
    #: As the user named it: ``HEAD~3``, ``v1.0``, ``version 1.0``.
    name: str
    #: The file's path at that commit, from the repository's top (renames followed).
    path: str
    text: str
    #: The commit's date, ``YYYY-MM-DD``.
    date: str

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def label(self) -> str:
        """``version 1.0 (bdee4f4, 2026-11-20)``: what a reader of a report is shown."""
        return f"{self.name} ({self.short}, {self.date})"


class GitFailed(Exception):
    """git could not be run, or said ``fatal:``; the message is its first line."""


def git(folder: Path, *args: str) -> bytes:
    """What ``git -C folder args`` writes to stdout; GitFailed if it fails."""
    command = ["git", "-C", str(folder), *_GIT_CONFIG, *args]
    try:
        done = subprocess.run(command, capture_output=True, stdin=subprocess.DEVNULL,
                              timeout=GIT_TIMEOUT, env=_environment(), check=False)
    except FileNotFoundError as exc:
        raise GitFailed("the git command is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitFailed(f"git took more than {GIT_TIMEOUT} seconds") from exc
    except OSError as exc:
        raise GitFailed(f"git could not be run ({exc.strerror or exc})") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(said[0].removeprefix("fatal: ") if said else
                        f"git {args[0]} failed (exit status {done.returncode})")
    return done.stdout


def _environment() -> dict[str, str]:
    return {**{name: value for name, value in os.environ.items() if name not in _LOCATING},
            **_GIT_ENV}


class History:
    """The git history of one source file; CareleafError if it has none to read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        folder = path.absolute().parent.resolve()
        try:
            self.top = Path(git(folder, "rev-parse", "--show-toplevel").decode().strip())
        except GitFailed as exc:
            raise self.error(f"{exc}, so this file has no history to compare with; give an "
                             "older copy of it instead: careleaf diff SOURCE OLD_FILE") from exc
        if not folder.is_relative_to(self.top.resolve()):  # git found another repository
            raise self.error(f"this file is not inside the git repository at "
                             f"{self.top}; give an older copy of it instead: "
                             "careleaf diff SOURCE OLD_FILE")
        #: From the repository's top, as git names it (the folder resolved, not the file).
        self.relative = (folder / path.name).relative_to(self.top.resolve()).as_posix()
        self._commits: list[tuple[str, str, str]] | None = None

    def error(self, message: str, line: int | None = None) -> CareleafError:
        return CareleafError(Diagnostic(Location(self.path, line), message))

    def run(self, *args: str) -> str:
        """git's output for ``args`` in the repository; a CareleafError if git fails."""
        try:
            return git(self.top, *args).decode("utf-8", "replace")
        except GitFailed as exc:
            raise self.error(f"git {args[0]} failed: {exc}") from exc

    def commits(self) -> list[tuple[str, str, str]]:
        """Each commit that changed the file, newest first: (commit, date, path then)."""
        if self._commits is None:
            out = self.run("log", "--follow", "-z", "--name-only", "--format=commit %H %cs",
                           "--", self.relative)
            self._commits, path = [], self.relative
            for token in out.split("\0"):
                token = token.strip("\n")
                if token.startswith("commit "):
                    _, commit, date = token.split(" ")
                    self._commits.append((commit, date, path))
                elif token and self._commits:
                    # The name comes after its commit; a merge lists none, so it keeps
                    # the newer commit's name.
                    path = token
                    self._commits[-1] = (*self._commits[-1][:2], path)
        return self._commits

    def text(self, commit: str, path: str) -> str | None:
        """The file's text at ``commit``; None when it is not a readable source there."""
        try:
            data = git(self.top, "cat-file", "blob", f"{commit}:{path}")
        except GitFailed:
            return None
        if len(data) > MAX_SOURCE_BYTES:
            return None
        return decode_source(data, self.path, Report())

    def at(self, rev: str) -> Revision:
        """The file at revision ``rev`` (a commit, tag, branch or ``HEAD~3``)."""
        if not rev or rev.startswith("-") or "\0" in rev:
            raise self.error(f"'{rev}' is not a git revision; name a commit, tag or branch, "
                             "like HEAD~1 or v1.0")
        try:
            commit = git(self.top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                         f"{rev}^{{commit}}").decode().strip()
        except GitFailed as exc:
            raise self.error(f"unknown revision '{rev}' in the git repository at "
                             f"{self.top}; name a commit, tag or branch "
                             f"(git log --oneline -- {self.relative} lists this file's)"
                             ) from exc
        text = self.text(commit, self.relative)
        if text is None:
            raise self._missing_at(rev, commit)
        date = self.run("log", "-1", "--format=%cs", commit).strip()
        return Revision(commit, rev, self.relative, text, date)

    def _missing_at(self, rev: str, commit: str) -> CareleafError:
        if not self.commits():
            return self.not_committed()
        return self.error(f"{self.relative} is not in git at {rev} ({commit[:7]}): it was "
                          "added later, had another name or was not a readable source then; "
                          "name a later revision, or use --since VERSION")

    def not_committed(self) -> CareleafError:
        return self.error("this file has never been committed to git, so it has no history "
                          "to compare with; commit it first, or give an older copy of it: "
                          "careleaf diff SOURCE OLD_FILE")

    def at_version(self, version: str, line: int | None = None) -> Revision:
        """The commit that set ``version: <version>`` (see the module's docstring).

        ``line`` is where a failure is reported (the ``version`` or ``original_version``
        that asked)."""
        found: tuple[str, str, str, str] | None = None
        seen: list[str] = []
        for commit, date, path in self.commits():
            text = self.text(commit, path)
            committed = _version_of(text, self.path) if text is not None else None
            if found is not None and committed != version:
                break  # the run of commits at ``version`` ends here
            if committed == version:
                assert text is not None
                found = (commit, date, path, text)
            elif committed and committed not in seen:
                seen.append(committed)
        if found is None:
            raise self._no_version(version, seen, line)
        commit, date, path, text = found
        return Revision(commit, f"version {version}", path, text, date)

    def _no_version(self, version: str, seen: list[str], line: int | None) -> CareleafError:
        if not self.commits():
            return self.not_committed()
        versions = ", ".join(seen) if seen else "none readable"
        return self.error(f"no commit of {self.relative} has version \"{version}\" in its "
                          f"front matter (versions in its history: {versions}); name one of "
                          "those, or a revision with --rev", line)


def _version_of(text: str, path: Path) -> str | None:
    """The front matter's ``version`` in ``text``, or None if there is none to read."""
    parts = split(text, path, Report())
    if parts is None:
        return None
    return parse_front_matter(parts[0], path, 2, Report()).version or None


def leaflet_at(revision: Revision, path: Path, project: Project) -> Leaflet:
    """The leaflet as committed at ``revision``, read as the source at ``path``.

    It must load as a source does today; if it does not, its errors are said at ``path``
    with the revision and the line of the committed text they are at."""
    found = Report()
    leaflet = load_text(revision.text, path, project, found)
    if leaflet is None:
        said = Report()
        # In the committed text's line order, as an editor would list them.
        for problem in sorted(found.errors, key=lambda problem: problem.location.line or 0):
            at = f", line {problem.location.line}" if problem.location.line else ""
            said.error(path, None, f"as committed at {revision.label}{at}: {problem.message} "
                       "(that version cannot be compared while it does not load)")
        raise CareleafError(said)
    return leaflet


def leaflet_at_version(path: Path, version: str, project: Project) -> Leaflet | None:
    """The leaflet at ``path`` as it was when its ``version`` was set to ``version``, or None
    when git, the history, that version or a loadable text of it is not there."""
    try:
        return leaflet_at(History(path).at_version(version), path, project)
    except CareleafError:
        return None


def leaflet_from_copy(copy: Path, path: Path, project: Project) -> Leaflet:
    """The leaflet in ``copy``, an older copy of the source at ``path`` kept anywhere: read
    as if it were at ``path`` (its images found from there), its errors said at ``copy``."""
    found = Report()
    try:
        text = decode_source(read_regular(copy, MAX_SOURCE_BYTES), copy, found)
    except UnreadableFile as exc:
        raise CareleafError(Diagnostic(Location(copy), f"{exc}; give an older copy of "
                                       f"{path.name} to compare with")) from exc
    leaflet = load_text(text, path, project, found) if text is not None else None
    if leaflet is None:
        raise CareleafError(Report([
            Diagnostic(Location(copy, problem.location.line), problem.message)
            for problem in found.errors]))
    return leaflet
