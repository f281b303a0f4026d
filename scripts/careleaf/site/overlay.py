"""What ``careleaf serve`` adds to each page it sends: the live-reload script and, while
the last save has errors, a banner naming each one.

The banner is the writer's error list, in the browser they are looking at: each error
as ``path:line: error: message``, the way the build prints it, above the last good
page. It comes first in the page's body and sticks to the top of the window, so it
pushes the page down rather than hiding its top. It is added to the response only,
like the script: the files on disk never hold it. Its styles are inline, so no
stylesheet of the site (which the writer may be editing) can hide or break it.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

#: Added before ``</body>`` of every HTML response; ``{version}`` is the site's version.
RELOAD_SCRIPT = (
    "<script>/* added by careleaf serve, not part of the site */(function () {{"
    "var events = new EventSource({url!r} + \"?since={version}\");"
    "events.addEventListener(\"reload\", function () {{ events.close(); location.reload(); }});"
    "}})();</script>"
)
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
#: The most errors listed; the rest are counted (the terminal has them all).
MAX_LISTED = 20

_BANNER = (
    '<div id="careleaf-problems" role="alert" lang="en" dir="ltr" style="position:sticky;'
    "top:0;z-index:2147483647;max-height:45vh;overflow:auto;margin:0;box-sizing:border-box;"
    "padding:12px 16px 14px;background:#fff4f4;color:#1b1b1b;border-bottom:4px solid "
    "#b3261e;box-shadow:0 6px 18px rgba(0,0,0,.28);font:15px/1.45 system-ui,-apple-system,"
    'Segoe UI,Roboto,sans-serif;text-align:left">'
    '<button type="button" onclick="this.parentNode.remove()" style="float:right;'
    "margin:0 0 6px 12px;padding:4px 12px;font:inherit;font-size:14px;border:1px solid "
    '#b3261e;border-radius:4px;background:#fff;color:#b3261e;cursor:pointer">Hide</button>'
    '<p style="margin:0 0 6px;font-weight:700;color:#8c1d18">{title}</p>'
    '<ul style="margin:0;padding:0 0 0 1.2em;font:13px/1.5 ui-monospace,SFMono-Regular,'
    'Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word">{items}</ul>'
    '<p style="margin:8px 0 0;font-size:13px;color:#4a4a4a">{hint}</p></div>'
)


def served_page(html: bytes, events_url: str, version: str, problems: tuple[str, ...]
                ) -> bytes:
    """``html`` as serve sends it: the banner (if any problem) first in its body and
    the script before ``</body>``."""
    script = RELOAD_SCRIPT.format(url=events_url, version=quote(version)).encode()
    at = html.lower().rfind(b"</body>")
    html = html[:at] + script + html[at:] if at >= 0 else html + script
    if not problems:
        return html
    body = _BODY.search(html)
    at = body.end() if body else 0
    return html[:at] + banner(problems).encode() + html[at:]


def banner(problems: tuple[str, ...]) -> str:
    """The error banner for ``problems`` (lines as the build prints them); "" for none."""
    if not problems:
        return ""
    count = len(problems)
    title = (f"The last save has {count} error{'s' if count != 1 else ''}: the page below "
             "is the last good one.")
    items = "".join(f'<li style="margin:2px 0">{escape(line)}</li>'
                    for line in problems[:MAX_LISTED])
    if count > MAX_LISTED:
        items += f"<li>… and {count - MAX_LISTED} more (the terminal lists them all)</li>"
    hint = ("Fix the line each error names and save: this page updates by itself, and "
            "the banner goes when the errors are fixed.")
    return _BANNER.format(title=escape(title), items=items, hint=escape(hint))
