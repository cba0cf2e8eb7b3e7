"""`launchready tui` (and `launchready` with no command): open the guided app."""

from __future__ import annotations

import argparse

from launchready_tui.commands import _common


def add_parser(sub) -> None:
    p = sub.add_parser(
        "tui",
        help="open the guided app (the default when no command is given)",
        description="Open LaunchReady's guided app on ./launchready.yaml (or --profile). With no "
        "profile it opens a welcome screen that helps you create one.",
    )
    _common.add_profile_arg(p)
    _common.add_runbooks_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _common.require_terminal("launchready tui")
    from launchready_tui.tui.app import run_app

    return run_app(profile_path=getattr(args, "profile", None), runbook_dirs=getattr(args, "runbooks", None))
