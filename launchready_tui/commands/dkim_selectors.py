"""`launchready dkim-selectors`: find DKIM selectors in a pasted message header.

DNS cannot list a domain's DKIM selectors; a received message names them in its
`DKIM-Signature: d=...; s=...` headers. This reads a raw header (a file, or stdin) and
prints the pairs, then the lines to paste into launchready.yaml.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    p = sub.add_parser(
        "dkim-selectors",
        help="find DKIM selectors in a pasted email header",
        description="Read a raw email header (from FILE, or paste it on stdin and press "
        "Ctrl-D) and print the d=/s= pairs of its DKIM-Signature headers, ready to paste "
        "into launchready.yaml. In Gmail: open a message you sent from your platform, "
        "menu > Show original. Exit status: 0 found, 1 none found, 2 bad input.",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE",
                   help="file holding the header (default: read stdin)")
    p.add_argument("--domain", metavar="D",
                   help="your email domain (default: the profile's email.domain, else the "
                   "domain most signatures use)")
    p.add_argument("--profile", "-p", metavar="P", help="profile to read email.domain from")
    p.set_defaults(func=run)


def _read(path: str) -> str:
    from launchready_tui.core.checks.email.dkim import MAX_HEADER_BYTES
    from launchready_tui.core.errors import UsageError

    if path == "-":
        if sys.stdin.isatty():
            print("Paste the message header, then press Ctrl-D on a new line:", file=sys.stderr)
        return sys.stdin.read(MAX_HEADER_BYTES)
    try:
        with open(path, "rb") as f:
            return f.read(MAX_HEADER_BYTES).decode("utf-8", "replace")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}", "FILE") from None


def _profile_domain(args: argparse.Namespace) -> str | None:
    from pathlib import Path

    from launchready_tui.core.errors import LaunchReadyError
    from launchready_tui.core.profile import find_profile, load_profile

    path = find_profile(args.profile)
    if not args.profile and not Path(path).is_file():
        return None
    try:
        profile = load_profile(path)
    except LaunchReadyError:
        if args.profile:
            raise
        return None
    return str(profile.get("email.domain") or profile.domain)


def run(args: argparse.Namespace) -> int:
    from launchready_tui.core.checks.email.dkim import profile_snippet, selectors_from_header

    text = _read(args.file)
    sigs = selectors_from_header(text)
    if not sigs:
        print(
            "No DKIM-Signature header found. Paste the whole header of a message your "
            "platform sent (in Gmail: Show original), not just the From/To lines.",
            file=sys.stderr,
        )
        return 1
    domain = args.domain or _profile_domain(args)
    out = [f"Found {len(sigs)} DKIM signature(s):"]
    width = max(len(s["d"]) for s in sigs)
    for s in sigs:
        alg = f"  ({s['a']})" if s["a"] else ""
        out.append(f"  d={s['d']:<{width}}  s={s['s']}{alg}")
    out += ["", "Paste into launchready.yaml (merge with an existing `email:` section):", ""]
    sys.stdout.write("\n".join(out) + "\n" + profile_snippet(sigs, domain))
    return 0
