"""Output formats: the code that turns a rendered leaflet into a PDF or an EPUB.

Each format's renderer turns a ``Job`` (``formats.job``) into the ``Rendered`` bytes of
one output file (and of any file written beside it, such as imposed sheets); the
pipeline writes them. Which function renders a format is said by its record,
``careleaf.outputs.FORMATS``, which imports the renderer only when an output is made,
so a build with nothing to do never pays for loading WeasyPrint.
``careleaf.check.readback`` reads each format back for the completeness check.
"""
