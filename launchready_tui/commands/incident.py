"""`launchready incident ID`: open straight into an incident runbook in incident mode.

`--export` writes the incident note of the newest recorded incident of that runbook (or
of that incident id) instead of opening the app.
"""

from __future__ import annotations

import argparse

from launchready_tui.commands import _common


def add_parser(sub) -> None:
    p = sub.add_parser(
        "incident",
        help="open an incident runbook in incident mode (clock, rollback budget, timeline)",
        description="Open the app straight into an incident runbook, e.g. `launchready incident "
        "deploy-failure`: a clock with the 10-minute rollback budget starts and every step, check "
        "and command goes on a timeline. With --export, write the incident note instead.",
    )
    p.add_argument("id", metavar="ID", nargs="?", help="incident runbook id (see `launchready runbooks`)")
    p.add_argument("--export", action="store_true",
                   help="write the incident note of the latest incident (of ID, when given)")
    p.add_argument("--format", choices=["md", "html"], default="md", help="note format for --export")
    p.add_argument("--output", "-o", metavar="F", help="where --export writes the note")
    _common.add_profile_arg(p)
    _common.add_runbooks_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from launchready_tui.core.errors import UsageError

    books, _ = _common.load_runbooks_arg(args, strict=False)
    incidents = [b for b in books if b.kind == "incident"]
    if args.export:  # with no id: the latest incident, as the help says
        return _export(args, books)
    if not args.id:
        print("Incident runbooks:")
        for b in incidents:
            print(f"  {b.id:20} {b.title}")
        print("\nOpen one with `launchready incident ID`.")
        return 0
    if not any(b.id == args.id for b in incidents):
        known = ", ".join(b.id for b in incidents) or "none installed"
        raise UsageError(f"no incident runbook '{args.id}' (known: {known})", "ID")
    _common.require_terminal(f"launchready incident {args.id}")
    from launchready_tui.tui.app import run_app

    return run_app(profile_path=getattr(args, "profile", None), runbook_dirs=args.runbooks, incident=args.id)


def _export(args: argparse.Namespace, books) -> int:
    from launchready_tui.core import export

    profile = _common.load_profile_arg(args)
    ident = args.id or _latest_incident_id(profile)
    path = export.write_incident_note(profile, ident, fmt=args.format, output=args.output, runbooks=books)
    print(f"Wrote {path}")
    return 0


def _latest_incident_id(profile) -> str:
    """The id of the incident started last (open or closed)."""
    from launchready_tui.core.errors import UsageError
    from launchready_tui.core.incidents import all_incidents
    from launchready_tui.core.state import StateStore

    incs = all_incidents(StateStore(profile.state_dir).load())
    if not incs:
        raise UsageError("no incident has been recorded yet, so there is no note to write. Incident "
                         "mode records one: `launchready incident ID`", "--export")
    return str(incs[-1].get("id"))
