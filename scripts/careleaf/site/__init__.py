"""Site: the download site readers and ebook apps use, ``build/site/``.

``model`` holds the site's types; ``pages`` gathers each leaflet's downloads and
draws the pages; ``publish`` decides whether the site must be remade and writes it;
``check`` reads it back as a browser and an ebook app would; ``server`` answers it
over HTTP with live reload, and ``serve`` rebuilds it on every edit while it runs.
"""
