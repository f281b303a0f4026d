"""Design: how a leaflet looks, decided by the clinic's designer, not its writer.

``layouts`` reads the layout folders (``layout.yml``, templates, stylesheets, the
``extends`` chain) and chooses which to build; ``brand`` reads a clinic's brand file
(name, colours, contact block, urgent-help line) and ``contrast`` holds its colours
to WCAG contrast. Nothing here reads a leaflet: the design comes first.
"""
