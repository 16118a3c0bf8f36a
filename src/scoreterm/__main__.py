"""Allow ``python -m scoreterm``."""

from scoreterm.cli import main

main()
