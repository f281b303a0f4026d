"""Files: how careleaf reads what a writer gives it and writes what it makes.

Every file careleaf reads from a project (a source, an image, a manifest) is
looked at with ``stat`` before it is opened: a FIFO would block the reader
forever, ``/dev/zero`` would fill memory, a folder named ``x.md`` is not a
source. ``read_regular`` then opens without blocking, checks again on the open
descriptor (the name may have been swapped in between) and reads no more than a
limit. Every file careleaf writes is written whole or not at all
(``write_atomic``), readable by others whatever the umask (a web server serves
the site), under a temporary name that stays within the file system's 255-byte
limit; temporary files of builds that were killed are swept away by the next.
``Store`` keeps costly bytes between builds, addressed by what made them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: What a file written by careleaf may be read by: everyone (a web server, a print shop).
FILE_MODE = 0o644
FOLDER_MODE = 0o755
#: The longest file name (in bytes) that ext4, XFS, btrfs, APFS and NTFS all accept.
NAME_MAX = 255
_TEMP_SUFFIX = ".tmp"
#: Nothing careleaf keeps in a ``Store`` is near this; a bigger file there is not its.
STORE_LIMIT = 16_000_000
#: The name of the mark a process leaves in the folder it writes under (``writing_under``).
_MARK = ".careleaf-writing"


class UnreadableFile(Exception):
    """A file careleaf must not or cannot read; the message says why, for a writer."""


def file_problem(path: Path, limit: int | None = None) -> str | None:
    """Why ``path`` is not a regular file of at most ``limit`` bytes, from ``stat`` alone
    (symlinks followed); None when it is one."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "does not exist (or is a link to nothing)"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return _kind_problem(info, limit)


def _kind_problem(info: os.stat_result, limit: int | None) -> str | None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file; remove it"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file; remove it"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file; remove it"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    if limit is not None and info.st_size > limit:
        return f"is {info.st_size:,} bytes; at most {limit:,} are allowed"
    return None


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; else UnreadableFile.

    The file is opened without blocking (a FIFO swapped in after ``stat`` cannot hang
    the read), checked again on the descriptor, and read to at most ``limit`` bytes.
    """
    if (problem := file_problem(path, limit)) is not None:
        raise UnreadableFile(problem)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if (problem := _kind_problem(os.fstat(fd), limit)) is not None:
            raise UnreadableFile(problem)
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew after stat
        raise UnreadableFile(f"is more than {limit:,} bytes; at most {limit:,} are allowed")
    return data


def make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents, each readable by others whatever the umask."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.is_dir():
            break
        missing.append(parent)
    for created in reversed(missing):
        try:
            created.mkdir()
        except FileExistsError:
            if not created.is_dir():
                raise
            continue
        os.chmod(created, FOLDER_MODE)


def temp_name(target: Path) -> Path:
    """A temporary name beside ``target`` for this process, within ``NAME_MAX`` bytes."""
    tail = f".{os.getpid()}{_TEMP_SUFFIX}"
    name = target.name.encode()[: NAME_MAX - len(tail) - 1].decode("utf-8", "ignore")
    return target.with_name(f".{name}{tail}")


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` so that it is either the old file or the whole new one, never half.

    An ``OSError`` (a full disk, a name too long) leaves the old file as it was and
    no temporary file behind; the caller reports it.
    """
    write_all_atomic({target: data})


def write_all_atomic(files: dict[Path, bytes], *, durable: bool = True) -> None:
    """Write every file or none: all are written to temporary names first, and replace
    the old ones only once every one of them is on disk. An ``OSError`` (a full disk)
    while writing leaves every old file as it was and no temporary file behind.
    ``durable=False`` leaves the flush to disk to the system (a cache whose torn file
    is seen and made again)."""
    temps: dict[Path, Path] = {}
    try:
        for target, data in files.items():
            make_folder(target.parent)
            temps[target] = temp_name(target)
            _write_temp(temps[target], data, durable)
        for target, temp in temps.items():
            os.replace(temp, target)
    except OSError as exc:
        if exc.filename is None:  # write() and close() name no file: say which one
            exc.filename = str(target)
        raise
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def _write_temp(temp: Path, data: bytes, durable: bool = True) -> None:
    with open(temp, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(data)
        handle.flush()
        if durable:
            os.fsync(handle.fileno())


def sweep_temp_files(folder: Path, recursive: bool = False) -> None:
    """Remove temporary files left by careleaf processes that were killed (their pid is gone)."""
    if not folder.is_dir():
        return
    pattern = f"**/.*{_TEMP_SUFFIX}" if recursive else f".*{_TEMP_SUFFIX}"
    for temp in folder.glob(pattern):
        if is_temp_file(temp) and not is_in_use(temp):
            try:
                temp.unlink(missing_ok=True)
            except OSError:  # a folder of that name, or no permission: not ours
                continue


def is_temp_file(path: Path) -> bool:
    """Whether ``path`` is named as ``temp_name`` names a careleaf temporary file."""
    parts = path.name.rsplit(".", 2)
    return path.name.startswith(".") and len(parts) == 3 and parts[1].isdigit() \
        and parts[2] == _TEMP_SUFFIX[1:]


def is_in_use(temp: Path) -> bool:
    """Whether the process that made the temporary file ``temp`` still runs."""
    return _alive(int(temp.name.rsplit(".", 2)[-2]))


@contextmanager
def writing_under(folder: Path) -> Iterator[None]:
    """Mark ``folder`` as being written by this process while the block runs.

    A mark left by a process that is gone means it was killed mid-write: its temporary
    files may be anywhere under ``folder``, even where the next build has nothing to
    write, so they are swept from the whole tree first. A build that ends normally
    removes its mark, and the next one walks no folder.
    """
    for mark in folder.glob(f"{_MARK}.*"):
        pid = mark.name.rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            sweep_temp_files(folder, recursive=True)
            mark.unlink(missing_ok=True)
    mine = folder / f"{_MARK}.{os.getpid()}"
    try:
        make_folder(folder)
        mine.touch()
    except OSError:  # a full disk: the build says so at the files it cannot write
        pass
    try:
        yield
    finally:
        mine.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): alive, as far as can be told
    return state != "Z"


@dataclass(frozen=True)
class Store:
    """Bytes kept between builds under the digest of everything that made them: a
    content-addressed cache. ``salt`` names the code that makes them (careleaf's
    toolchain), so new code never finds old bytes. Only a cache: bytes it cannot
    read or write are made again, and a build is right without it."""

    folder: Path
    salt: str
    suffix: str = ""
    #: False for bytes whose torn file is seen on reading (JSON): no wait for the disk.
    durable: bool = True

    def path(self, what: Sequence[str]) -> Path:
        digest = hashlib.sha256("\0".join((self.salt, *what)).encode()).hexdigest()
        return self.folder / f"{digest}{self.suffix}"

    def get(self, what: Sequence[str]) -> bytes | None:
        try:
            return read_regular(self.path(what), STORE_LIMIT)
        except UnreadableFile:
            return None

    def put(self, what: Sequence[str], data: bytes) -> None:
        with contextlib.suppress(OSError):  # a full disk: next time, made again
            write_all_atomic({self.path(what): data}, durable=self.durable)

    def made(self, what: Sequence[str], make: Callable[[], bytes]) -> bytes:
        """The bytes kept for ``what``, or ``make()``'s, kept for next time."""
        if (data := self.get(what)) is None:
            data = make()
            self.put(what, data)
        return data
