"""``python -m api.cli``: the same as the ``signoff`` command."""

from api.cli import main

main()
