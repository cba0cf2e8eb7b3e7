"""`launchready export`: write the handover document (Markdown or one HTML file).

Builds on the state store and the last results; it runs no checks itself, so run
`launchready check` first for fresh evidence (results older than 14 days are flagged).
"""

from __future__ import annotations

import argparse
import sys

from launchready_tui.commands import _common


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export",
        help="write the handover document (Markdown or HTML)",
        description="Write the handover document a new engineer can run the platform from: "
        "verdict, where things live, every stage's checks, confirmations and records, email "
        "authentication, the secret inventory (never a value), deploy, rollback and incident "
        "runbooks, performance, the risk log and the day-2 action list. It uses the results "
        "stored by the last `launchready check`; it does not run checks.",
    )
    _common.add_profile_arg(p)
    p.add_argument("--format", choices=["markdown", "md", "html"], default="markdown",
                   help="markdown (default; md means the same; renders on GitHub) or html "
                   "(one self-contained file that prints well)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="where to write it (default: handover-<project>-<date>.md or .html beside the profile); "
                   "'-' writes to stdout")
    p.add_argument("--author", metavar="NAME", help="who prepared it (default: git user.name)")
    _common.add_runbooks_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from launchready_tui.core import export

    if args.format == "markdown":
        args.format = "md"  # one name inside: the renderer and file suffix use `md`
    profile = _common.load_profile_arg(args)
    _common.print_warnings(profile)
    books, errors = _common.load_runbooks_arg(args, strict=False)
    for e in errors:
        print(f"launchready: warning: {e} (left out of the handover)", file=sys.stderr)
    if args.output == "-":
        doc = export.gather(profile, books, author=args.author)
        sys.stdout.write(export.render(doc, args.format))
        return 0
    try:
        path = export.export_handover(profile, fmt=args.format, output=args.output, author=args.author,
                                      runbooks=books)
    except OSError as e:
        from launchready_tui.core.errors import UsageError

        raise UsageError(f"could not write the handover: {e.strerror or e}", "--output") from None
    print(f"Wrote the handover to {path}")
    return 0
