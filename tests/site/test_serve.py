"""``careleaf serve`` over plain HTTP: what it serves, what it refuses, how it stops.

The helpers (``site_file``, ``content_type``, ``with_reload_script``) are tested
directly; the rest runs the real command as a subprocess (see ``serving``). The
browser's view of the same server is in ``test_browser``.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from serving import Served, fetch, make_project, serving, start_serve

from careleaf.site.server import content_type, site_file, with_reload_script


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("serve")) as running:
        yield running


def raw_get(served: Served, path: str, method: str = "GET") -> http.client.HTTPResponse:
    """A request for ``path`` exactly as written: no client-side normalisation of ``..``."""
    address = urlsplit(served.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    connection.request(method, path)
    return connection.getresponse()


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt",
                                  "/..%2fsecret.txt", "/.hidden", "/a/%00", "/%ff",
                                  "/link/secret.txt"])
def test_site_file_never_leaves_the_folder(tmp_path: Path, path: str) -> None:
    folder = tmp_path / "site"
    (folder / "a").mkdir(parents=True)
    (folder / ".hidden").write_text("temporary file")
    (tmp_path / "secret.txt").write_text("secret")
    (folder / "link").symlink_to(tmp_path)
    try:
        assert site_file(folder, path) is None
    except UnicodeDecodeError:
        assert path == "/%ff"  # the handler answers 404 for a path that is not UTF-8


def test_site_file_finds_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "en" / "x").mkdir(parents=True)
    (tmp_path / "en" / "x" / "x.epub").write_bytes(b"PK")
    assert site_file(tmp_path, "/en/x/x.epub") == tmp_path.resolve() / "en" / "x" / "x.epub"
    assert site_file(tmp_path, "/en/./x/") == tmp_path.resolve() / "en" / "x"
    assert site_file(tmp_path, "/") == tmp_path.resolve()
    assert site_file(tmp_path, "/en/y/") is None


@pytest.mark.parametrize(("name", "expected"), [
    ("x.epub", "application/epub+zip"), ("x.pdf", "application/pdf"), ("x.png", "image/png"),
    ("site.css", "text/css; charset=utf-8"), ("index.html", "text/html; charset=utf-8"),
    ("opds.xml", "application/atom+xml;profile=opds-catalog"), ("x.svg", "image/svg+xml"),
    ("x.unknown-kind", "application/octet-stream"),
])
def test_content_types(name: str, expected: str) -> None:
    assert content_type(Path(name)) == expected


def test_reload_script_goes_before_the_end_of_the_body() -> None:
    html = with_reload_script(b"<html><body><p>x</p></BODY></html>", "1-2")
    assert html.startswith(b"<html><body><p>x</p><script>")
    assert html.endswith(b"</script></BODY></html>")
    assert b"since=1-2" in html
    assert with_reload_script(b"<p>x</p>", "1").startswith(b"<p>x</p><script>")
    assert b"careleaf-problems" not in html


def test_errors_are_a_banner_before_the_script_each_line_escaped() -> None:
    problems = ("source/en/a.md:3: error: id '<b>' is invalid", "layouts/a4/x.html:9: error: y")
    html = with_reload_script(b"<body><p>x</p></body>", "1", problems).decode()
    banner, script = html.index('id="careleaf-problems"'), html.index("<script>")
    assert banner < html.index("<p>x</p>") < script  # first in the body, the page below
    assert "The last save has 2 errors" in html
    assert "source/en/a.md:3: error: id &#x27;&lt;b&gt;&#x27; is invalid" in html
    assert "<b>" not in html and 'role="alert"' in html
    many = with_reload_script(b"", "1", tuple(f"a.md:{n}: error: e" for n in range(25))).decode()
    assert many.count("<li") == 21 and "and 5 more" in many


def test_pages_and_downloads_have_their_content_types(served: Served) -> None:
    stylesheet = re.findall(r'href="([^"]+\.css)"', fetch(served.url)[2].decode())[0]
    for path, kind in [("", "text/html"), ("en/minimal/", "text/html"),
                       ("en/minimal/minimal.epub", "application/epub+zip"),
                       ("en/minimal/minimal-a4.pdf", "application/pdf"),
                       ("opds.xml", "application/atom+xml"), (stylesheet, "text/css")]:
        status, headers, body = fetch(served.url + path)
        assert (status, headers["content-type"].split(";")[0]) == (200, kind), path
        assert int(headers["content-length"]) == len(body)
    status, headers, body = fetch(served.url + "en/minimal/minimal.epub", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize("path", ["/../careleaf.toml", "/%2e%2e/careleaf.toml",
                                  "/en/../../careleaf.toml", "/..%2f..%2fcareleaf.toml",
                                  "//etc/passwd", "/%2fetc%2fpasswd", "/nothing-here"])
def test_nothing_outside_the_site_is_served(served: Served, path: str) -> None:
    response = raw_get(served, path)
    assert response.status == 404
    assert b"layouts" not in response.read()


def test_folders_redirect_to_their_index_and_are_never_listed(served: Served) -> None:
    response = raw_get(served, "/en/minimal")
    assert (response.status, response.headers["location"]) == (301, "/en/minimal/")
    assert raw_get(served, "/en/").status == 200  # the English index
    assert raw_get(served, "/styles/").status == 404  # no index.html: no listing either


def test_busy_port_is_one_line_and_exit_2(served: Served) -> None:
    port = str(urlsplit(served.url).port)
    second = start_serve(served.root, "--port", port)
    assert second.wait() == 2
    assert second.stderr == [f"error: cannot serve on 127.0.0.1:{port}: the port is already "
                             "in use (choose another with --port)\n"]


def test_ctrl_c_stops_cleanly(served: Served) -> None:
    another = start_serve(served.root)
    another.wait_for_output(r"Serving .* at http://", 60, "stdout")
    assert another.stop() == 0
    assert not any("Traceback" in line for line in another.stderr), another.transcript()
    assert another.stdout[-1] == "Stopped.\n"


def test_a_mistake_in_the_site_templates_is_shown_not_a_traceback(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    template = root / "layouts" / "site" / "leaflet.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{% if %}\n",
                        encoding="utf-8")
    served = start_serve(root)  # no site to answer 200 with: it cannot be drawn
    try:
        line = served.wait_for_output(r"Serving .* at http://", 60, "stdout")
        url = line.split(" at ")[1].split()[0]
        served.wait_for_output_after(0, r"^Waiting for changes\.$", 60)
        start = len(served.stdout)
        source = root / "source" / "en" / "minimal.md"
        source.write_text(source.read_text(encoding="utf-8").replace("cramp", "crampx", 1),
                          encoding="utf-8")
        served.wait_for_output_after(start, r"^\d+ built, ", 60)
        served.wait_for_output_after(start, r"^Waiting for changes\.$", 60)
        _, _, page = fetch(url + "en/minimal/")
        assert served.process.poll() is None
    finally:
        served.stop()
    assert not any("Traceback" in line for line in served.stderr), served.transcript()
    assert any(line.startswith("layouts/site/leaflet.html:") and ": error: " in line
               for line in served.stderr), served.transcript()
    assert b"careleaf-problems" in page and b"layouts/site/leaflet.html:" in page
