"""Command-line entry: parse arguments, run a subcommand, map errors to exit codes.

Exit status: 0 all good, 1 at least one fail or error result, 2 bad input (profile,
runbook, arguments). Subcommands live in `launchready_tui/commands/`, one module each,
exposing `add_parser(subparsers)` and `run(args) -> int`. Nothing here imports Textual:
only the `tui`, `demo` and `incident` commands do, and only when they run.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from launchready_tui import __version__

# Order is the order shown in --help.
COMMANDS = [
    "check",
    "lint",
    "runbooks",
    "tui",
    "demo",
    "init",
    "incident",
    "credentials",
    "export",
    "dkim_selectors",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one clear line, no usage dump noise
        if message.startswith("unrecognized arguments:"):
            # Never echo what was typed: it may be a secret (`--token=sk_live_...`).
            words = message.split(":", 1)[1].split()
            shown = [w.split("=", 1)[0] + ("=..." if "=" in w else "") for w in words if w.startswith("-")]
            hidden = len(words) - len(shown)
            message = "unrecognized arguments: " + " ".join(shown)
            if hidden:
                message += f" (and {hidden} more value(s), not shown in case they are secret)"
        self.print_usage(sys.stderr)
        self.exit(2, f"launchready: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="launchready",
        description="Launch-readiness runbooks with live checks. Run with no command to open "
        "the guided app; try `launchready demo` to see it work against a built-in test lab.",
    )
    p.add_argument("--version", action="version", version=f"launchready {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"launchready_tui.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"launchready_tui.commands.{name}":
                continue  # not built yet
            raise
        mod.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from launchready_tui.core.errors import LaunchReadyError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        if "tui" in (parser._subparsers._group_actions[0].choices if parser._subparsers else {}):
            args = parser.parse_args(["tui", *(argv or sys.argv[1:])])
        else:  # pragma: no cover
            parser.print_help()
            return 0
    try:
        return int(args.func(args) or 0)
    except LaunchReadyError as e:
        print(f"launchready: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("launchready: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - `launchready check | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
