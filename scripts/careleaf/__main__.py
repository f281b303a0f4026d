"""Entry point for ``python -m careleaf``."""

from careleaf.cli import main

main()
