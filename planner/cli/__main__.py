"""``python -m planner.cli``: the same as ``trainplan``."""

from planner.cli import main

raise SystemExit(main())
