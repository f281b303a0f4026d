"""careleaf: patient-information leaflets from plain text.

One Markdown source per leaflet becomes a print-ready PDF and an accessible EPUB,
and every build is checked so that no cause and no treatment is lost on the way.
The subpackages are the pipeline's stages, in the order data flows through them:
``design`` (layouts, brand), ``i18n`` (languages, interface words), ``source``
(files to a typed ``Leaflet``), ``render`` (Jinja2 to HTML), ``formats`` (HTML to
PDF or EPUB), ``pipeline`` (the build), ``site`` (the download site) and ``check``
(every output read back). The modules at the top are shared by all of them; ``cli``
is the command line.
"""

__version__ = "0.1.0"
