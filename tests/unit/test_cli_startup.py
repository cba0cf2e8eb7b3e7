"""Start-up shortcuts of the CLI: only the named command's parser is built (all of them
for `--help` and anything unrecognised), and the cyclic GC, paused while starting, is
always back on afterwards."""

from __future__ import annotations

import gc

import pytest

from launchready_tui import cli


def _choices(parser) -> list[str]:
    return list(parser._subparsers._group_actions[0].choices)


@pytest.mark.parametrize(("argv", "only"), [
    ([], "tui"),
    (["tui", "--profile", "x.yaml"], "tui"),
    (["dkim-selectors", "-"], "dkim_selectors"),
    (["check", "--yes"], "check"),
    (["--help"], None),
    (["--profile", "x.yaml"], None),
    (["nonsense"], None),
    (["_common"], None),
])
def test_only_the_named_command_is_built(argv, only):
    assert cli._named_command(argv) == only
    parser = cli.build_parser(only)
    if only is None:
        assert len(_choices(parser)) == len(cli.COMMANDS)
    else:
        assert _choices(parser) == [only.replace("_", "-")]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for name in ("check", "lint", "runbooks", "tui", "demo", "init", "incident", "credentials",
                 "export", "dkim-selectors"):
        assert name in out


def test_a_subcommand_parses_as_before(tmp_path, capsys):
    rc = cli.main(["runbooks"])
    assert rc == 0 and "Stage 1" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        cli.main(["nonsense"])
    assert e.value.code == 2 and "invalid choice: 'nonsense'" in capsys.readouterr().err


def test_gc_is_back_on_after_any_command(monkeypatch, capsys):
    assert gc.isenabled()
    seen = []
    from launchready_tui.commands import runbooks

    real = runbooks.run
    monkeypatch.setattr(runbooks, "run", lambda args: seen.append(gc.isenabled()) or real(args))
    assert cli.main(["runbooks"]) == 0
    assert seen == [True]  # a command other than the app runs with the GC on
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        cli.main(["runbooks", "--bogus"])
    assert gc.isenabled()


def test_startup_done_resumes_a_paused_gc_only():
    from launchready_tui.tui.app import startup_done

    gc.disable()
    try:
        startup_done()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
    startup_done()  # GC already on: nothing to do
    assert gc.isenabled() and gc.get_freeze_count() == 0
