"""`launchready check`: run checks headless (for CI and for people), print a report."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from launchready_tui.commands import _common

if TYPE_CHECKING:
    from collections.abc import Sequence

    from launchready_tui.core.problems import Problem
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.results import CheckResult
    from launchready_tui.core.state import StateStore


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
    p.add_argument("--format", choices=["text", "json", "junit", "sarif"], default="text",
                   help="text (default), json, junit, or sarif (SARIF 2.1.0 for code scanning)")
    p.add_argument("--output", "-o", metavar="F", help="write the report to F instead of stdout")
    p.add_argument("--yes", action="store_true",
                   help="run the `command` blocks of the one step named with --runbook and --step "
                   "(a run of several steps never runs commands)")
    p.add_argument("--release", metavar="NAME", help="release name for latency snapshots")
    p.add_argument("--verbose", "-v", action="store_true", help="show evidence in text output")
    p.add_argument("--brief", action="store_true",
                   help="text output: print only the launch blockers (each problem once, worst first)")
    p.add_argument("--fail-on", metavar="STATUS", action="append", type=_fail_on, default=None,
                   help="which results make the exit status 1: fail (the default: a fail or a "
                   "'could not check' result always does); add warn or skip to refuse those too, "
                   "e.g. --fail-on skip refuses a run in which the rollback drill was skipped; "
                   "comma-separated or repeatable")
    _common.add_runbooks_arg(p)
    _common.add_network_args(p)
    p.set_defaults(func=run)


FAIL_ON = ("fail", "warn", "error", "skip")


def _fail_on(value: str) -> list[str]:
    words = [w.strip().lower() for w in value.split(",") if w.strip()]
    bad = [w for w in words if w not in FAIL_ON]
    if bad or not words:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(FAIL_ON)} (comma-separated), not {value!r}")
    return words


def failing_statuses(fail_on) -> set[str]:
    """The statuses that make the run exit 1: always fail and could-not-check (error; a
    check that could not run is never a pass, as the README's exit status says), plus
    whatever --fail-on adds (warn, skip)."""
    return {"fail", "error"} | {w for group in (fail_on or []) for w in group}


def run(args: argparse.Namespace) -> int:
    import asyncio
    import time

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
    # A command block runs only when this run names its one step and says --yes: a
    # whole-profile or multi-step --yes never runs one (each says how to run it alone).
    items = engine.plan(selected, profile, include_commands=True,
                        run_commands=bool(args.yes and args.runbook and args.step))
    t0 = time.perf_counter()
    results = asyncio.run(engine.run_all(items, ctx))
    total_s = time.perf_counter() - t0
    problems, accepted = set_aside_accepted(derive_problems(results, profile, ctx.state), profile)
    if ctx.state is not None:
        from launchready_tui.core.recorder import Recorder

        try:
            rec = Recorder(ctx.state, "cli")
            rec.results(results)  # before rendering: snapshots leave the evidence for the history
            rec.run(results, scope={"stage": args.stage, "runbook": args.runbook, "step": args.step},
                    problems=problems)
        except OSError as e:
            print(f"launchready: warning: could not save state in {ctx.state.dir}: {e.strerror}", file=sys.stderr)
    out = render(results, profile, books, args.format, color=args.output is None and sys.stdout.isatty(),
                 verbose=args.verbose, problems=problems, brief=getattr(args, "brief", False), total_s=total_s,
                 accepted=accepted)
    if args.output:
        from launchready_tui.commands._common import write_output

        write_output(args.output, out.encode("utf-8"))
    else:
        sys.stdout.write(out)
    refuse = failing_statuses(getattr(args, "fail_on", None))
    # A result that only shows accepted problems does not fail the run while the entry lasts.
    open_keys = {k for p in problems for k in p.results}
    excused = {k for p in accepted for k in p.results} - open_keys
    return 1 if any(r.status.value in refuse and r.key not in excused for r in results) else 0


def set_aside_accepted(problems, profile):
    """(open problems, problems an unexpired `.launchready/allow.yaml` entry accepts by id)."""
    if not problems:  # nothing to set aside: no allowlist read, no problems import
        return [], []
    from launchready_tui.core.problems import set_aside_allowed

    return set_aside_allowed(problems, profile.state_dir)


def derive_problems(results: Sequence[CheckResult], profile: Profile | None,
                    state: StateStore | None) -> list[Problem]:
    """Ranked problems, with owner/priority from the state and first-seen from history."""
    # Only warn/fail/error results become problems (core/problems): a clean run skips the
    # package's import and the history read, which cost more than the rest of the report.
    if not any(str(getattr(r.status, "value", r.status)) in ("warn", "fail", "error") for r in results):
        return []
    from launchready_tui.core.problems import derive

    meta: dict[str, Any] = {}
    history: list[Any] = []
    if state is not None:
        try:
            meta = state.load().get("problems") or {}
            history = state.read_history()
        except Exception:  # a damaged state file must not stop the report (it says so elsewhere)
            meta, history = {}, []
    now = min((r.started_at for r in results if r.started_at), default="")
    return derive(results, profile, meta=meta, history=history, now=now)


def runbook_heading(b) -> str:
    """"Stage 1: Quick audit" once, whether or not the runbook's title already says it."""
    title = str(b.title)
    if b.stage:
        prefix = f"Stage {b.stage}:"
        return title if title.lower().startswith(prefix.lower()) else f"{prefix} {title}"
    return title if title.lower().startswith("incident:") else f"Incident: {title}"


def render(results, profile, books, fmt: str, *, color: bool = False, verbose: bool = False,
           problems=None, brief: bool = False, total_s: float | None = None, accepted=None) -> str:
    from launchready_tui.core import report

    if problems is None:
        problems = derive_problems(results, profile, None)
    accepted = list(accepted or [])
    if fmt == "json":
        extra = {"accepted_problems": [p.to_dict() for p in accepted]} if accepted else None
        return report.render_json(results, profile.project, problems=problems, extra=extra)
    if fmt == "junit":
        return report.render_junit(results, profile.project, total_s=total_s)
    if fmt == "sarif":
        from launchready_tui.core.sarif import render_sarif

        return render_sarif(results, profile)
    titles = {}
    for b in books:
        titles[b.id] = runbook_heading(b)
        for s in b.steps:
            titles[f"{b.id}/{s.id}"] = s.title
    return report.render_text(results, profile.project, color=color, titles=titles, verbose=verbose,
                              problems=problems, brief=brief, accepted=accepted)
