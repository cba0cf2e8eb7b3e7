"""Shared plumbing for subcommands: profile/runbook loading, network flags, contexts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from launchready_tui.core.errors import UsageError


def add_profile_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", "-p", metavar="P", help="profile file (default: ./launchready.yaml)")


def add_runbooks_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--runbooks",
        metavar="DIR",
        action="append",
        default=None,
        help="load runbooks from this folder instead of the bundled ones (repeatable)",
    )


def add_network_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("network (overrides the profile's `network`)")
    g.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]")
    g.add_argument("--connect-to", action="append", default=[], metavar="HOST:PORT:HOST2:PORT2")
    g.add_argument("--ca-bundle", metavar="F")
    g.add_argument("--timeout", type=float, metavar="S", help="seconds per network operation")


def require_terminal(command: str) -> None:
    """The app needs a terminal: without one (piped, in CI, under nohup) it could only
    spin waiting for keys nobody can press. Raise at once instead (exit 2)."""
    if not (sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(f"`{command}` opens the app, which needs a terminal (this is a pipe, a "
                         "file or CI). Run it in a terminal window; for a report without the app "
                         "use `launchready check`.")


def write_output(path, data: bytes):
    """--output: a regular file atomically, a device or FIFO streamed into, a symlink
    refused (core/outfile.py). Raises UsageError (exit 2)."""
    from launchready_tui.core.outfile import write_output as _write

    try:
        return _write(path, data)
    except OSError as e:
        raise UsageError(f"could not write {path}: {e.strerror or e}", "--output") from None


def load_profile_arg(args):
    from launchready_tui.core.parse_cache import load_profile
    from launchready_tui.core.profile import find_profile

    return load_profile(find_profile(getattr(args, "profile", None)))


def print_warnings(profile) -> None:
    for w in profile.warnings:
        print(f"launchready: warning: {w.format()}", file=sys.stderr)


def load_runbooks_arg(args, *, strict: bool = True):
    from launchready_tui.core.errors import RunbookError
    from launchready_tui.core.runbook import load_runbooks

    dirs = [Path(d) for d in args.runbooks] if getattr(args, "runbooks", None) else None
    books, errors = load_runbooks(dirs, cache=True)
    if errors and strict:
        raise RunbookError([p for e in errors for p in e.problems])
    return books, errors


def net_config_from_args(profile, args):
    from launchready_tui.core.net import parse_connect_to_cli, parse_nameserver
    from launchready_tui.core.profile import net_config

    ns = []
    for n in getattr(args, "nameserver", None) or []:
        try:
            ns.append(parse_nameserver(n))
        except ValueError as e:
            raise UsageError(str(e), "--nameserver") from None
    ct = parse_connect_to_cli(getattr(args, "connect_to", None) or [])
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not 0 < timeout <= 120:
        raise UsageError(f"{timeout} is not a number of seconds between 0 and 120", "--timeout")
    ca = getattr(args, "ca_bundle", None)
    if ca:
        from launchready_tui.core.profile import ca_bundle_problem

        problem = ca_bundle_problem(Path(ca))
        if problem:
            raise UsageError(f"CA bundle {problem}", "--ca-bundle")
    return net_config(profile, nameservers=ns, connect_to=ct, ca_bundle=ca, timeout_s=timeout)


def make_context(profile, args, *, options=None):
    from launchready_tui.core.context import build_context

    return build_context(profile, net_config_from_args(profile, args), options=options)
