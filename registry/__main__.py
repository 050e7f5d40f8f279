"""``python -m registry`` runs the ``registry`` command."""

from registry.cli import main

raise SystemExit(main())
