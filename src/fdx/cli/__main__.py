"""``python -m fdx.cli``: the same as the ``fdx`` command."""

from fdx.cli import main

main()
