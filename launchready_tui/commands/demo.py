"""`launchready demo`: start the local lab and show real checks passing and failing.

The lab (DNS + HTTPS servers on 127.0.0.1) runs in-process with a made-up creator
platform that has some healthy and some broken setups; nothing leaves this computer.
`--no-tui` (or no terminal, e.g. piped output) runs the checks headless and prints the
text report. `--dir DIR` keeps the demo's profile and state, so a second run resumes
where you left off; DIR must be new, empty or a folder the demo made (see
`core/demo_folder.py`): the demo never writes over someone's real project. Without
`--dir` the demo's folder is temporary, and the app says so at start and at quit.
"""

from __future__ import annotations

import sys

from launchready_tui.commands import _common


def add_parser(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="try LaunchReady on a built-in test lab (offline, no domain needed)",
        description="Start a local test lab (DNS and HTTPS servers on this computer) with a "
        "made-up creator platform, some parts healthy and some broken, and open LaunchReady "
        "on it. Nothing is sent to the internet.",
    )
    p.add_argument("--no-tui", action="store_true", help="run the checks headless and print the report")
    p.add_argument("--format", choices=["text", "json", "junit"], default="text")
    p.add_argument("--dir", metavar="DIR", help="keep the demo's files (profile, state) in DIR: a new or empty folder, "
                   "or one an earlier demo made (it never writes over other files)")
    _common.add_runbooks_arg(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from launchready_tui.core import demo_folder
    from launchready_tui.lab import Lab
    from launchready_tui.lab.demo import demo_world

    directory = Path(args.dir).expanduser() if args.dir else None
    if directory:
        refused = demo_folder.check_folder(directory)
        if refused:
            print(f"launchready: {refused}", file=sys.stderr)
            return 2
        demo_folder.claim(directory)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    world = demo_world()
    for note in world.notes:  # e.g. no PostgreSQL here: how to install it (the rest still works)
        print(f"launchready: {note}", file=sys.stderr)
    with Lab(world, directory) as lab:
        if args.no_tui:
            return _run_headless(lab, args)
        if not interactive:  # piped or in CI: the app needs a terminal, the report does not
            print("launchready: not a terminal, so showing the demo as a report "
                  "(run `launchready demo` in a terminal for the app)", file=sys.stderr)
            return _run_headless(lab, args)
        from launchready_tui.tui.app import run_app

        if directory is None:
            print(f"This demo runs in a temporary folder: your ticks, notes and results are "
                  f"deleted when you quit (the app offers to keep a copy). To keep them from the "
                  f"start, run:\n  launchready demo --dir {demo_folder.suggest_folder()}",
                  file=sys.stderr)
        else:
            print(f"Demo folder: {directory} (your work is kept there; run the same command "
                  "again to carry on).", file=sys.stderr)
        # The app runs in this process, beside the lab's servers; they stop when it exits.
        return int(run_app(profile_path=lab.profile_path, runbook_dirs=args.runbooks, demo=True,
                           temporary=directory is None) or 0)


def _run_headless(lab, args) -> int:
    import argparse

    from launchready_tui.commands import check

    ns = argparse.Namespace(
        profile=str(lab.profile_path), stage=None, runbook=None, step=None, format=args.format,
        output=None, yes=True, release="demo", verbose=False, runbooks=args.runbooks,
        nameserver=[], connect_to=[], ca_bundle=None, timeout=None,
    )
    for problem in lab.wait_services():  # the demo database seeds in the background
        print(f"launchready: the demo database did not start ({problem}); its checks will say so",
              file=sys.stderr)
    if args.format == "text":
        print(f"Demo lab running on 127.0.0.1 (DNS {lab.dns.address}, HTTPS port "
              f"{lab.web.https_port}). Profile: {lab.profile_path}\n")
    check.run(ns)
    return 0  # the demo's failures are planted on purpose
