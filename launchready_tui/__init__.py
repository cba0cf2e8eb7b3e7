"""LaunchReady: launch-readiness runbooks with live checks.

Importing the package must stay cheap: it never imports Textual, httpx or dnspython.
"""

__version__ = "0.1.0"
