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


def _refusal(root: Path) -> str | None:
    """Why a named path cannot be scanned at all (missing, a FIFO, a device, a socket), or
    None. Checked before anything is opened: a FIFO would block the scan forever."""
    import os
    import stat

    from launchready_tui.core.safe_read import _kind

    try:
        st = os.stat(root)
    except FileNotFoundError:
        return f"{root} does not exist"
    except OSError as e:
        return f"{root} cannot be read: {e.strerror or e}"
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return None
    return f"{root} is {_kind(st.st_mode)}, not a regular file or a folder"


def _scanner_class():
    from launchready_tui.core.checks.secrets import Scanner

    class TextScanner(Scanner):
        """A file that is text but not UTF-8 (Latin-1, Windows-1252) is scanned with the odd
        bytes replaced, lines unchanged, instead of being skipped: a key in it is still a key."""

        def scan_bytes(self, data: bytes, file: str, area: str, report) -> None:
            if b"\x00" not in data[:8192]:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    data = data.decode("utf-8", errors="replace").encode("utf-8")
            super().scan_bytes(data, file, area, report)

    return TextScanner


def run(args) -> int:
    import datetime as dt

    from launchready_tui.core.checks.secrets import evaluate

    roots = [Path(f) for f in args.files] or [Path(".")]
    refused = [why for r in roots if (why := _refusal(r))]
    if refused:
        for why in refused:
            print(f"launchready scan-secrets: {why}; nothing was scanned.", file=sys.stderr)
        return 2
    report = _scanner_class()(base=Path.cwd()).scan(roots, "code")
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
    if report.stopped:
        print(f"launchready scan-secrets: stopped early ({report.stopped}); {report.scanned} file(s) were "
              "scanned, the rest were not. Name fewer files or folders.", file=sys.stderr)
        return 1
    unread = {k: n for k, n in report.skipped.items() if k in ("unreadable", "symlink_loop", "too_large",
                                                               "not_a_regular_file", "broken_symlink")}
    if unread:
        print("launchready scan-secrets: not read: " + ", ".join(f"{n} {k.replace('_', ' ')}"
                                                                 for k, n in sorted(unread.items())),
              file=sys.stderr)
    return 0
