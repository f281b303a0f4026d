"""Importing: existing leaflets (web pages, Word documents, PDFs, plain text) brought
in as draft sources.

Each reader (``text``, ``html``, ``docx``, ``pdf``) turns one kind of input into the
same ``model.Document``: a flat run of headings, paragraphs and list entries, with
what it dropped as debris. ``structure`` recovers the leaflet's sections and items from
that run, ``markdown`` writes the draft source, ``report`` says what was found,
dropped and what the quality gates think of it, and ``run`` is the orchestrator of
``careleaf import``. The stage comes after ``check`` because its report runs the
check's quality gates on the draft.
"""
