"""Render: a ``Leaflet`` in a layout becomes HTML, the one input of every format.

``html`` runs the layout's Jinja2 templates with a typed context; ``cover`` draws the
ebook's cover picture and ``qr`` the QR code that points at the ebook.
"""
