"""`launchready scan-secrets [FILE...]`: the secret scan on named files, for pre-commit.

pre-commit passes the staged files; only those are read, nothing goes over the network,
and no profile is needed (when a launchready.yaml is found above the current folder, its
allowlist applies). Each finding prints as `file:line: what [rule] (fingerprint)`, never
the value. Exit 0: nothing found; 1: something found; 2: bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("scan-secrets", help="scan files for leaked keys (fast, offline; for pre-commit)",
                       description="Scan the named files (default: this folder) for keys, tokens and "
                       "passwords with LaunchReady's secret rules. Prints where, never the value.")
    p.add_argument("files", nargs="*", metavar="FILE", help="files or folders to scan (default: .)")
    p.set_defaults(func=run)


def _allowlist(start: Path):
    from launchready_tui.core import allowlist as al

    for d in (start, *start.parents):
        if (d / "launchready.yaml").is_file():
            return al.load_allowlist(d / ".launchready" / al.ALLOW_FILENAME)
    return None


def run(args) -> int:
    import datetime as dt

    from launchready_tui.core.checks.secrets import Scanner, evaluate

    roots = [Path(f) for f in args.files] or [Path(".")]
    report = Scanner(base=Path.cwd()).scan(roots, "code")
    result = evaluate(report, "code", allow=_allowlist(Path.cwd().resolve()), today=dt.date.today())
    findings = result.evidence.get("findings") or []
    for f in findings:
        print(f"{f['file']}:{f['line']}: {f['title']} [{f['rule']}] ({f['fingerprint']})")
    total = int(result.evidence.get("findings_total") or 0)
    if total:
        more = f" (showing {len(findings)})" if total > len(findings) else ""
        print(f"\n{total} secret(s) found{more}. Remove each from the file and rotate it in the service "
              "that issued it (it may have been copied already). If one is a false alarm, allowlist its "
              "fingerprint in .launchready/allowlist.yaml with a reason and an expiry date.", file=sys.stderr)
        return 1
    return 0
