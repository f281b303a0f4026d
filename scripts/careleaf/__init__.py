"""careleaf: patient-information leaflets from plain text.

One Markdown source per leaflet becomes a print-ready PDF and an accessible EPUB,
and every build is checked so that no cause and no treatment is lost on the way.
The stages live in their own modules: ``load`` (files to a typed ``Leaflet``),
``layouts`` (layout folders), ``render`` (Jinja2 to HTML), ``formats`` (HTML to
PDF or EPUB), ``verify`` (outputs read back) and ``build`` (the orchestrator).
"""

__version__ = "0.1.0"
