"""Command-line entry: parse arguments, run a subcommand, map errors to exit codes.

Exit status: 0 all good, 1 at least one fail or error result, 2 bad input (profile,
runbook, arguments). Subcommands live in `launchready_tui/commands/`, one module each,
exposing `add_parser(subparsers)` and `run(args) -> int`. Nothing here imports Textual:
only the `tui`, `demo` and `incident` commands do, and only when they run.
"""

from __future__ import annotations

import argparse
import gc
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
    "ci",
    "scan_secrets",
]
# The command whose start-up time people see: the cyclic GC stays paused until the app's
# first frame (see main). Other commands, the app ones included, get it back after parsing.
APP_COMMANDS = ("tui",)


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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (with `only`, a command name) the top level plus that one
    command's subparser: importing and building all ten costs start-up time that
    `launchready tui` would otherwise pay before its first frame. `--help` and any
    argument list that does not start with a command get the whole parser."""
    p = _Parser(
        prog="launchready",
        description="Launch-readiness runbooks with live checks. Run with no command to open "
        "the guided app; try `launchready demo` to see it work against a built-in test lab.",
    )
    p.add_argument("--version", action="version", version=f"launchready {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        try:
            mod = importlib.import_module(f"launchready_tui.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"launchready_tui.commands.{name}":
                continue  # not built yet
            raise
        mod.add_parser(sub)
    return p


def _named_command(argv: list[str]) -> str | None:
    """The command module that argv names first (`dkim-selectors` -> dkim_selectors)."""
    if not argv:
        return "tui"  # `launchready` alone opens the app
    name = argv[0].replace("-", "_")
    return name if name in COMMANDS and name != "_common" else None


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates a great many long-lived objects (modules, classes, Textual's
    # styles and widgets) and the cyclic GC would walk them again and again, a full pass
    # included, before the app's first frame. So collection waits: for `tui` until its
    # first frame is painted (tui.app.startup_done), for any other command until its
    # arguments are parsed.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        args_list = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(_named_command(args_list))
        args = parser.parse_args(args_list)
        if not getattr(args, "command", None):
            commands = parser._subparsers._group_actions[0].choices if parser._subparsers else None
            if "tui" in set(commands or ()):  # the subparsers' choices: a dict of name -> parser
                args = parser.parse_args(["tui", *args_list])
            else:  # pragma: no cover
                parser.print_help()
                return 0
        if gc_was_enabled and args.command not in APP_COMMANDS:
            gc.enable()
        return _run(args)
    finally:
        if gc_was_enabled:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; typed errors become one clear line and an exit status."""
    from launchready_tui.core.errors import LaunchReadyError

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
