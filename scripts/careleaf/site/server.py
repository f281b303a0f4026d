"""The download site over HTTP on localhost, with live reload, for ``careleaf serve``.

Only files inside the site folder are ever served, never a directory listing. The
reload script is added to HTML responses only here, as they are sent: the files on
disk stay free of JavaScript. Pages listen on Server-Sent Events at
``/__careleaf__/events``; ``Site`` knows the folder and its version, which moves
whenever a rebuild changed a file of it.

Hundreds of connections at once (open pages, downloads, event streams) cost no thread
each. A fixed pool of ``WORKERS`` threads answers requests, and a long listen backlog
keeps a burst of connections waiting rather than dropped. An event stream leaves the
pool once its headers are sent: one more thread holds every stream and writes their
events. A client that goes away mid-response is normal and prints nothing; a URL
longer than ``MAX_URL_BYTES`` gets 414, a name no file system holds 404.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import http.server
import mimetypes
import os
import queue
import selectors
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from careleaf.site.overlay import served_page

EVENTS = "/__careleaf__/events"
#: Content types by suffix; checked before ``mimetypes``, whose table depends on the machine.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
    ".woff2": "font/woff2",
}
#: How often the event streams get a comment, so closed connections are noticed.
KEEPALIVE_SECONDS = 15.0
#: Threads answering ordinary requests (event streams are held by one more thread).
WORKERS = 16
#: Connections the kernel keeps waiting to be accepted (socketserver's default is 5).
BACKLOG = socket.SOMAXCONN
#: The longest request target answered; a longer one gets 414.
MAX_URL_BYTES = 8192
#: Seconds a client may stay silent, or leave a response unread, before it is dropped.
CLIENT_TIMEOUT = 30.0


class Site:
    """The folder being served, the errors of the last save (shown over every page), and
    its version, which moves whenever a rebuild changed either."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: tuple[str, ...] = ()
        # A new server gets a new version, so pages open across a restart reload too.
        self._started, self._generation = time.time_ns(), 0
        #: Each file of the site: its time, size and a digest of its bytes (times alone
        #: would move on rewrites of the same bytes, and reload pages for nothing).
        self._files: dict[str, tuple[int, int, str]] = {}
        self._files = self._look_at(self._all_files(), {})

    @property
    def version(self) -> str:
        return f"{self._started}-{self._generation}"

    def refresh(self, folder: Path, problems: tuple[str, ...] | None = None,
                touched: Iterable[Path] | None = None) -> bool:
        """Take note of a rebuild, and of the errors now (None: as they were); True (and a
        new version) if any file of the site, or the errors, changed. Given ``touched``,
        only those files may have changed: the others are not looked at (a big site
        has thousands)."""
        self.folder = folder
        files = (self._look_at(self._all_files(), {}) if touched is None
                 else self._look_at(touched, dict(self._files)))
        problems = self.problems if problems is None else problems
        if _digests(files) == _digests(self._files) and problems == self.problems:
            return False
        self._files, self.problems = files, problems
        self._generation += 1
        return True

    def _all_files(self) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file()] if self.folder.is_dir() \
            else []

    def _look_at(self, paths: Iterable[Path], files: dict[str, tuple[int, int, str]]
                 ) -> dict[str, tuple[int, int, str]]:
        """``files`` with each of ``paths`` as it is now (gone: left out); a file hashed
        again only if its time or size moved."""
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                files.pop(str(path), None)
                continue
            known = self._files.get(str(path))
            if known is None or known[:2] != (stat.st_mtime_ns, stat.st_size):
                known = (stat.st_mtime_ns, stat.st_size,
                         hashlib.blake2b(path.read_bytes()).hexdigest())
            files[str(path)] = known
        return files


def _digests(files: dict[str, tuple[int, int, str]]) -> dict[str, str]:
    return {name: stamp[2] for name, stamp in files.items()}


#: What socketserver passes around as a request (a TCP server's is always the socket).
_Request = socket.socket | tuple[bytes, socket.socket]


class _Pool:
    """A fixed number of threads running jobs from one queue. They are daemons: Ctrl-C
    never waits for a download to a client that stopped reading."""

    def __init__(self, size: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        for number in range(size):
            threading.Thread(target=self._work, name=f"{name}-{number}", daemon=True).start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            self._jobs.get()()


class _EventStreams:
    """Every open event stream, held by one thread with a selector: a ``reload`` event
    to each stream whose page shows an older version of the site, a keep-alive comment
    to all every ``KEEPALIVE_SECONDS``. A stream whose page went away (it reads as
    closed) or that stopped reading (a send would block) is dropped."""

    def __init__(self, site: Site) -> None:
        self._site, self._closing = site, False
        self._selector = selectors.DefaultSelector()
        self._wake_in, self._wake_out = socket.socketpair()
        for end in (self._wake_in, self._wake_out):
            end.setblocking(False)
        self._selector.register(self._wake_in, selectors.EVENT_READ, self._wake_in)
        self._new: queue.SimpleQueue[tuple[socket.socket, str]] = queue.SimpleQueue()
        self._since: dict[socket.socket, str] = {}  # each stream: the version its page shows
        self._thread = threading.Thread(target=self._run, name="careleaf-events", daemon=True)
        self._thread.start()

    def add(self, connection: socket.socket, since: str) -> None:
        """Take over ``connection``, whose headers are sent, for a page showing ``since``."""
        if self._closing:
            connection.close()
            return
        self._new.put((connection, since))
        self.wake()

    def wake(self) -> None:
        """Have the thread look at new streams and at the site's version now."""
        with contextlib.suppress(OSError):  # the buffer is full: a wake-up is pending anyway
            self._wake_out.send(b"!")

    def close(self) -> None:
        """End every stream, and the thread."""
        self._closing = True
        self.wake()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        keepalive = time.monotonic() + KEEPALIVE_SECONDS
        while not self._closing:
            for key, _ in self._selector.select(max(0.0, keepalive - time.monotonic())):
                self._read(key.data)
            self._admit()
            self._send_reloads()
            if time.monotonic() >= keepalive:
                for stream in list(self._since):
                    self._send(stream, b": keep-alive\n\n")
                keepalive = time.monotonic() + KEEPALIVE_SECONDS
        self._close_all()

    def _read(self, connection: socket.socket) -> None:
        """Empty the wake-up pipe, or notice that a page closed its stream."""
        try:
            data = connection.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data and connection is not self._wake_in:
            self._drop(connection)  # anything a page sends on its stream is ignored

    def _admit(self) -> None:
        while not self._new.empty():
            connection, since = self._new.get()
            connection.setblocking(False)
            self._selector.register(connection, selectors.EVENT_READ, connection)
            self._since[connection] = since

    def _send_reloads(self) -> None:
        version = self._site.version
        message = f"event: reload\ndata: {version}\n\n".encode()
        for stream, since in list(self._since.items()):
            if since != version and self._send(stream, message):
                self._since[stream] = version

    def _send(self, stream: socket.socket, message: bytes) -> bool:
        """Whether all of ``message`` went out; a stream that cannot take it is dropped."""
        try:
            if stream.send(message) == len(message):
                return True
        except OSError:
            pass
        self._drop(stream)
        return False

    def _drop(self, stream: socket.socket) -> None:
        self._selector.unregister(stream)
        del self._since[stream]
        stream.close()

    def _close_all(self) -> None:
        for stream in list(self._since):
            self._drop(stream)
        while not self._new.empty():
            self._new.get()[0].close()
        self._selector.close()
        self._wake_in.close()
        self._wake_out.close()


class _Server(http.server.HTTPServer):
    """Requests go to a pool of ``WORKERS`` threads; event streams on to ``_EventStreams``."""

    request_queue_size = BACKLOG
    site: Site | None = None
    streams: _EventStreams | None = None
    _thread: threading.Thread | None = None

    def __init__(self, address: tuple[str, int], handler: type[_Handler]) -> None:
        super().__init__(address, handler)  # binds: a busy port fails before any thread starts
        self._pool = _Pool(WORKERS, "careleaf-http")

    def start(self, site: Site) -> None:
        """Serve ``site`` from now on, in the background."""
        self.site, self.streams = site, _EventStreams(site)
        self._thread = threading.Thread(target=self.serve_forever, name="careleaf-accept",
                                        daemon=True)
        self._thread.start()

    def site_changed(self) -> None:
        if self.streams is not None:
            self.streams.wake()

    def stop(self) -> None:
        """Stop accepting connections, end the event streams and close the socket."""
        if self._thread is not None:
            self.shutdown()
        if self.streams is not None:
            self.streams.close()
        self.server_close()

    def process_request(self, request: _Request, client_address: Any) -> None:
        self._pool.submit(functools.partial(self._process, request, client_address))

    def _process(self, request: _Request, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request: _Request, client_address: Any) -> None:
        """A client that went away, or stayed silent, is normal; anything else is a bug."""
        if not isinstance(sys.exception(), (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def bind(host: str, port: int) -> _Server:
    class Server(_Server):
        # IPv6 addresses (``--host ::1``) need an IPv6 socket.
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    return Server((host, port), _Handler)


def bind_error(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "the port is already in use (choose another with --port)"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges; choose another with --port)"
    return exc.strerror or str(exc)


def url_of(httpd: _Server) -> str:
    host, port = httpd.server_address[:2]
    text = host.decode() if isinstance(host, bytes) else host
    return f"http://[{text}]:{port}/" if ":" in text else f"http://{text}:{port}/"


def site_file(folder: Path, url_path: str) -> Path | None:
    """The file or folder a URL path names inside ``folder``, or None.

    The path is decoded once; any ``..`` or hidden segment is refused, and so is a
    target whose real path (symlinks followed) lies outside the folder, or that the
    file system cannot even look up (a name too long, a symlink loop).
    """
    segments = [s for s in unquote(url_path, errors="strict").split("/") if s not in ("", ".")]
    if any(s.startswith(".") or "\\" in s or "\0" in s for s in segments):
        return None  # "..", editors' and builds' temporary files, Windows separators
    root = folder.resolve()
    try:
        target = root.joinpath(*segments).resolve()
        return target if target.is_relative_to(root) and target.exists() else None
    except OSError:
        return None


def _open_regular(path: Path) -> int | None:
    """A descriptor open on ``path`` if it is a regular file; None if it is anything else
    (a FIFO is opened without blocking, then refused) or a rebuild removed it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    if stat.S_ISREG(os.fstat(fd).st_mode):
        return fd
    os.close(fd)
    return None


#: The site's XML files by name: OPDS catalogues, the Atom feed, OpenSearch, the sitemap.
XML_TYPES = {"updates.xml": "application/atom+xml",
             "opensearch.xml": "application/opensearchdescription+xml",
             "sitemap.xml": "application/xml"}


def content_type(path: Path) -> str:
    if (path.name.startswith("opds") and path.suffix == ".xml") or path.name.endswith(".opds.xml"):
        return "application/atom+xml;profile=opds-catalog"
    if path.name in XML_TYPES:
        return XML_TYPES[path.name]
    suffix = path.suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"


def with_reload_script(html: bytes, version: str, problems: tuple[str, ...] = ()) -> bytes:
    """``html`` with the live-reload script before ``</body>`` (and the error banner)."""
    return served_page(html, EVENTS, version, problems)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "careleaf"
    timeout = CLIENT_TIMEOUT

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would bury the build's messages

    def _respond(self, send_body: bool) -> None:
        site = self.server.site
        assert site is not None  # serving starts after the first build
        if len(self.path) > MAX_URL_BYTES:
            return self._send(414, "text/plain; charset=utf-8", b"URL too long\n", send_body)
        url = urlsplit(self.path)
        if url.path == EVENTS:
            return self._events(parse_qs(url.query).get("since", [""])[0], send_body)
        try:
            target = site_file(site.folder, url.path)
        except UnicodeDecodeError:
            target = None
        if target is not None and target.is_dir():
            if not url.path.endswith("/"):  # so the page's relative links work
                return self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
            target = target / "index.html" if (target / "index.html").is_file() else None
        if target is None:
            return self._not_found(site, send_body)
        self._file(site, target, send_body)

    def _file(self, site: Site, path: Path, send_body: bool) -> None:
        kind = content_type(path)
        fd = _open_regular(path)
        if fd is None:
            return self._not_found(site, send_body)
        with open(fd, "rb") as handle:
            if kind.startswith("text/html"):
                self._send(200, kind, with_reload_script(handle.read(), site.version,
                                                           site.problems), send_body)
                return
            self._headers(200, kind, os.fstat(handle.fileno()).st_size)
            if send_body:
                self.connection.sendfile(handle)

    def _not_found(self, site: Site, send_body: bool) -> None:
        page = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                b"<title>Not found</title></head><body><h1>Not found</h1>"
                b"<p><a href=\"/\">All leaflets</a></p></body></html>")
        # It reloads too: a page that a rebuild creates appears without a manual reload.
        page = with_reload_script(page, site.version, site.problems)
        self._send(404, "text/html; charset=utf-8", page, send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, kind: str, body: bytes, send_body: bool) -> None:
        self._headers(status, kind, len(body))
        if send_body:
            self.wfile.write(body)

    def _headers(self, status: int, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a rebuild must show on reload
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _events(self, since: str, send_body: bool) -> None:
        """A Server-Sent Events stream: its headers here, then the stream is handed to the
        one thread that holds them all, and this thread is free for the next request."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body and self.server.streams is not None:
            self.wfile.write(b"retry: 1000\n\n")
            # Detached, the socket is left open when this request ends; the stream owns it.
            self.server.streams.add(socket.socket(fileno=self.connection.detach()), since)
