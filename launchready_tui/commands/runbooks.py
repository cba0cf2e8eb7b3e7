"""`launchready runbooks`: list the stage and incident runbooks found."""

from __future__ import annotations

import sys

from launchready_tui.commands import _common


def add_parser(sub) -> None:
    p = sub.add_parser("runbooks", help="list the stages and incident runbooks")
    _common.add_runbooks_arg(p)
    p.add_argument("--steps", action="store_true", help="also list each runbook's steps")
    p.set_defaults(func=run)


def run(args) -> int:
    books, errors = _common.load_runbooks_arg(args, strict=False)
    stages = [b for b in books if b.kind == "stage"]
    incidents = [b for b in books if b.kind == "incident"]
    print("Stages:")
    for b in stages:
        print(f"  {b.stage}. {b.title}  (id: {b.id}, {len(b.steps)} steps)")
        if args.steps:
            for s in b.steps:
                print(f"       - {s.id}: {s.title}")
    print("Incident runbooks (open with `launchready incident ID`):")
    for b in incidents:
        print(f"  {b.id}: {b.title}  ({len(b.steps)} steps)")
        if args.steps:
            for s in b.steps:
                print(f"       - {s.id}: {s.title}")
    for e in errors:
        for p in e.problems:
            print(f"launchready: broken runbook skipped: {p.format()}", file=sys.stderr)
    return 2 if errors else 0
