"""``careleaf serve`` under strain: odd URLs, clients that go away, crowds of connections.

Each test runs the real command as a subprocess (see ``serving``) and talks to it
over loopback sockets. Speed is never asserted: a burst of requests must all be
answered within a generous timeout, and hundreds of open event streams must not
each cost the server a thread (counted in ``/proc/<pid>/task``). No test may leave a
traceback in the server's output.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from serving import Served, fetch, serving

from careleaf.site.server import EVENTS, site_file
from conftest import MINIMAL

#: Generous: no request of a burst may wait this long, however slow the machine.
REQUEST_TIMEOUT = 60.0
#: A rebuild renders a PDF, an EPUB and the site: seconds, but CI machines can be slow.
RELOAD_TIMEOUT = 120.0
#: Time for a server thread that is still writing to a vanished client to print an error.
SETTLE_SECONDS = 2.0
#: Far more than the handful of threads a server holding event streams should need.
MAX_THREADS = 64
PAGES = ["/", "/en/minimal/", "/en/minimal/minimal-a4.pdf", "/en/minimal/minimal.epub",
         "/opds.xml"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("serve-robust")) as running:
        yield running


def address(served: Served) -> tuple[str, int]:
    url = urlsplit(served.url)
    return url.hostname or "", url.port or 80


def get(served: Served, path: str) -> tuple[int, bytes]:
    """Status and body of ``path`` sent exactly as written, over a new connection."""
    connection = http.client.HTTPConnection(*address(served), timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        assert len(body) == int(response.headers["content-length"]), path
        return response.status, body
    finally:
        connection.close()


def send_request(served: Served, path: str) -> socket.socket:
    """A connection that has sent a GET for ``path`` and read nothing yet."""
    client = socket.create_connection(address(served), timeout=REQUEST_TIMEOUT)
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return client


def read_until(client: socket.socket, marker: bytes, deadline: float) -> bytes:
    """What ``client`` received up to and including ``marker``."""
    received = b""
    while marker not in received:
        client.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = client.recv(65536)
        assert chunk, f"the server closed the connection before {marker!r}: {received!r}"
        received += chunk
    return received


def reset(client: socket.socket) -> None:
    """Close ``client`` abruptly (a TCP reset), as a browser tab killed mid-download."""
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def assert_no_traceback(served: Served, since: int) -> None:
    """No traceback among the lines the server printed on stderr after the first ``since``."""
    time.sleep(SETTLE_SECONDS)  # an error of a thread still writing would show by now
    assert not any("Traceback" in line for line in served.stderr[since:]), served.transcript()
    assert served.process.poll() is None, served.transcript()


def thread_count(served: Served) -> int:
    return len(os.listdir(f"/proc/{served.process.pid}/task"))


def site_version(served: Served) -> str:
    match = re.search(rb"since=([0-9]+-[0-9]+)", fetch(served.url)[2])
    assert match, "no reload script in the index page"
    return match[1].decode()


def test_site_file_refuses_names_the_file_system_cannot_look_up(tmp_path: Path) -> None:
    assert site_file(tmp_path, "/" + "a" * 256) is None
    assert site_file(tmp_path, "/" + "%C3%A9" * 200 + "/x.pdf") is None  # 400 bytes
    assert site_file(tmp_path, "/" + "/".join(["b" * 200] * 30)) is None  # 6 KB: over PATH_MAX


@pytest.mark.parametrize(("path", "status"), [
    ("/" + "a" * 256, 404), ("/en/" + "b" * 1000 + "/x.pdf", 404),
    ("/" + "%C3%A9" * 200, 404), ("/" + "/".join(["c" * 200] * 30), 404),
    ("/" + "d" * 9000, 414), ("/?" + "e" * 9000, 414),
])
def test_over_long_urls_are_refused_without_a_traceback(served: Served, path: str,
                                                         status: int) -> None:
    printed = len(served.stderr)
    assert get(served, path)[0] == status
    assert get(served, "/")[0] == 200
    assert_no_traceback(served, printed)


def test_clients_that_go_away_mid_response_leave_no_traceback(served: Served) -> None:
    big, printed = served.root / "build" / "preview" / "big.pdf", len(served.stderr)
    with big.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: far more than any socket buffer holds
    try:
        for path in ["/big.pdf", "/", "/nothing-here", f"{EVENTS}?since=0"]:
            for _ in range(10):
                client = send_request(served, path)
                client.recv(100)  # the response has begun
                reset(client)
            for _ in range(10):
                reset(send_request(served, path))  # gone before the response
        assert_no_traceback(served, printed)
        assert all(get(served, path)[0] == 200 for path in PAGES)
    finally:
        big.unlink()


def test_a_burst_of_300_requests_is_all_answered(served: Served) -> None:
    start, printed = threading.Barrier(300), len(served.stderr)
    results: list[object] = []

    def one(number: int) -> None:
        start.wait()
        try:
            results.append(get(served, PAGES[number % len(PAGES)])[0])
        except Exception as exc:  # reported below, with every other result
            results.append(repr(exc))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT * 2)
    assert results == [200] * 300, sorted(set(map(str, results)))
    assert_no_traceback(served, printed)


def test_400_event_streams_hold_few_threads_and_all_reload(served: Served) -> None:
    since, streams, printed = site_version(served), [], len(served.stderr)
    try:
        deadline = time.monotonic() + REQUEST_TIMEOUT
        for _ in range(400):
            streams.append(send_request(served, f"{EVENTS}?since={since}"))
        for stream in streams:
            assert read_until(stream, b"retry: 1000\n\n", deadline).startswith(b"HTTP/1.0 200")
        assert thread_count(served) < MAX_THREADS
        served.write("source/en/minimal.md", MINIMAL.replace("title: Leg cramps",
                                                             "title: Night cramps"))
        deadline = time.monotonic() + RELOAD_TIMEOUT
        for stream in streams:
            assert read_until(stream, b"event: reload\ndata: ", deadline)
        assert thread_count(served) < MAX_THREADS
    finally:
        for stream in streams:
            stream.close()
    assert site_version(served) != since
    assert_no_traceback(served, printed)
