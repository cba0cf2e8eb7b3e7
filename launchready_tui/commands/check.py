"""`launchready check`: run checks headless (for CI and for people), print a report."""

from __future__ import annotations

import argparse
import sys

from launchready_tui.commands import _common


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="run the live checks and print a report",
        description="Run the checks of every runbook (or the stages/runbook/step you name) "
        "against your live setup. Exit status: 0 nothing failed, 1 something failed or "
        "could not be checked, 2 bad input.",
    )
    _common.add_profile_arg(p)
    p.add_argument("--stage", type=int, action="append", choices=range(1, 8), metavar="N",
                   help="only this stage (1-7); repeatable")
    p.add_argument("--runbook", metavar="ID", help="only this runbook (see `launchready runbooks`)")
    p.add_argument("--step", metavar="ID", help="only this step of the runbook")
    p.add_argument("--format", choices=["text", "json", "junit"], default="text")
    p.add_argument("--output", "-o", metavar="F", help="write the report to F instead of stdout")
    p.add_argument("--yes", action="store_true", help="allow `command` checks to run commands")
    p.add_argument("--release", metavar="NAME", help="release name for latency snapshots")
    p.add_argument("--verbose", "-v", action="store_true", help="show evidence in text output")
    _common.add_runbooks_arg(p)
    _common.add_network_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from launchready_tui.core import engine
    from launchready_tui.core.context import RunOptions
    from launchready_tui.core.errors import UsageError

    profile = _common.load_profile_arg(args)
    _common.print_warnings(profile)
    books, _ = _common.load_runbooks_arg(args)
    if args.step and not args.runbook:
        raise UsageError("--step needs --runbook (step ids are unique only inside a runbook)", "--step")
    if args.runbook and not any(b.id == args.runbook for b in books):
        known = ", ".join(b.id for b in books)
        raise UsageError(f"no runbook '{args.runbook}' (known: {known})", "--runbook")
    selected = engine.select(books, stages=args.stage, runbook_id=args.runbook, step_id=args.step)
    if args.step and not selected:
        raise UsageError(f"runbook '{args.runbook}' has no step '{args.step}'", "--step")
    ctx = _common.make_context(profile, args, options=RunOptions(yes=args.yes, release=args.release))
    items = engine.plan(selected, profile, include_commands=True)
    results = asyncio.run(engine.run_all(items, ctx))
    if ctx.state is not None:
        try:
            ctx.state.save_results([r.to_dict() for r in results])
            from launchready_tui.core.results import count

            ctx.state.append_history(
                {
                    "type": "check",
                    "at": results[0].started_at if results else "",
                    "counts": count(results),
                    "scope": {"stage": args.stage, "runbook": args.runbook, "step": args.step},
                }
            )
        except OSError as e:
            print(f"launchready: warning: could not save state in {ctx.state.dir}: {e.strerror}", file=sys.stderr)
    out = render(results, profile, books, args.format, color=args.output is None and sys.stdout.isatty(), verbose=args.verbose)
    if args.output:
        from pathlib import Path

        from launchready_tui.core.state import atomic_write

        atomic_write(Path(args.output), out.encode("utf-8"))
    else:
        sys.stdout.write(out)
    return 1 if any(r.status.value in ("fail", "error") for r in results) else 0


def render(results, profile, books, fmt: str, *, color: bool = False, verbose: bool = False) -> str:
    from launchready_tui.core import report

    if fmt == "json":
        return report.render_json(results, profile.project)
    if fmt == "junit":
        return report.render_junit(results, profile.project)
    titles = {}
    for b in books:
        titles[b.id] = f"Stage {b.stage}: {b.title}" if b.stage else f"Incident: {b.title}"
        for s in b.steps:
            titles[f"{b.id}/{s.id}"] = s.title
    return report.render_text(results, profile.project, color=color, titles=titles, verbose=verbose)
