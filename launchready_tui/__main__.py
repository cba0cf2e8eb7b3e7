"""`python -m launchready_tui` runs the same CLI as the `launchready` script."""

from launchready_tui.cli import main

raise SystemExit(main())
