"""`launchready lint PATH...`: validate runbooks and profiles, report every problem."""

from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("lint", help="check runbooks and profiles for mistakes",
                       description="Validate runbook Markdown files (or folders of them) and "
                       "profiles. Prints every problem as file:line and exits 2 if there are any.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="runbook files/folders or launchready.yaml "
                   "(default: the bundled runbooks)")
    p.set_defaults(func=run)


def run(args) -> int:
    from launchready_tui.core.errors import LaunchReadyError
    from launchready_tui.core.profile import load_profile
    from launchready_tui.core.runbook import bundled_runbooks_dir, load_runbooks

    paths = [Path(p) for p in args.paths] or [bundled_runbooks_dir()]
    problems: list[str] = []
    warnings: list[str] = []
    rb_paths = []
    n_profiles = 0
    for p in paths:
        if not p.exists():
            problems.append(f"{p}: does not exist")
        elif p.suffix in (".yaml", ".yml"):
            n_profiles += 1
            try:
                prof = load_profile(p)
                warnings.extend(w.format() for w in prof.warnings)
            except LaunchReadyError as e:
                problems.extend(pr.format() for pr in e.problems)
        else:
            rb_paths.append(p)
    n_books = 0
    if rb_paths:
        books, errors = load_runbooks(rb_paths)
        n_books = len(books) + len(errors)
        for err in errors:
            problems.extend(pr.format() for pr in err.problems)
    for w in warnings:
        print(f"warning: {w}")
    for pr in problems:
        print(pr)
    what = f"{n_books} runbook(s), {n_profiles} profile(s)"
    if problems:
        print(f"{len(problems)} problem(s) in {what}", file=sys.stderr)
        return 2
    print(f"ok: {what}, no problems")
    return 0
