"""The `secrets` check, as a package (being split by job: rules, classification,
scanning, the check). Importing `launchready_tui.core.checks.secrets` keeps working."""

from launchready_tui.core.checks.secrets.scan import *  # noqa: F403
from launchready_tui.core.checks.secrets.scan import _FAKE  # noqa: F401
