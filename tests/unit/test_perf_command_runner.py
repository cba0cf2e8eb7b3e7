"""command: redaction of secrets in streamed output, and running/stopping processes."""

from __future__ import annotations

import base64
import os
import time
from urllib.parse import quote

from launchready_tui.core.checks import command
from launchready_tui.core.checks.command import Redactor, run_command

SECRET = "sk_live_51HxQ9pretend9secret9value"


def _all(red: Redactor, chunks: list[bytes]) -> list[str]:
    out = []
    for c in chunks:
        out += red.feed(c)
    return out + red.flush()


def test_redacts_secret_split_across_reads():
    data = f"token is {SECRET} ok\nnext line\n".encode()
    for cut in range(1, len(data)):
        lines = _all(Redactor({"STRIPE_KEY": SECRET}), [data[:cut], data[cut:]])
        assert lines == ["token is [redacted:STRIPE_KEY] ok", "next line"], cut


def test_redacts_encoded_forms_and_several_secrets():
    other = "p@ss word/with+chars"
    text = f"{quote(other, safe='')} {base64.b64encode(SECRET.encode()).decode()} {other}\n"
    lines = _all(Redactor({"A": SECRET, "B": other}), [text.encode()])
    assert lines == ["[redacted:B] [redacted:A] [redacted:B]"]


def test_long_line_without_newline_is_streamed_in_pieces_without_cutting_a_secret():
    filler = "x" * (command.MAX_LINE + 10)
    data = (filler + SECRET + filler + SECRET).encode()
    red = Redactor({"K": SECRET})
    pieces = []
    for i in range(0, len(data), 777):  # many small reads
        pieces += red.feed(data[i : i + 777])
    pieces += red.flush()
    joined = "".join(pieces)
    assert SECRET not in joined
    assert joined.count("[redacted:K]") == 2
    assert all(SECRET[:8] not in p for p in pieces)  # no piece holds part of it
    assert len(pieces) >= 2


def test_multibyte_characters_split_across_reads():
    data = "café ✓\n".encode()
    lines = _all(Redactor({}), [data[:4], data[4:8], data[8:]])
    assert lines == ["café ✓"]


def test_short_values_are_not_redacted():
    assert _all(Redactor({"X": "ab"}), [b"abc\n"]) == ["abc"]


async def test_run_command_streams_and_records():
    seen = []
    out = await run_command("echo one; echo two >&2; printf 'no newline'; exit 3", on_line=seen.append)
    assert out.exit_status == 3 and not out.timed_out
    assert seen == ["one", "two", "no newline"] and out.tail == seen and out.lines == 3


async def test_run_command_tail_is_capped():
    out = await run_command("for i in $(seq 1 500); do echo line $i; done")
    assert out.exit_status == 0 and out.lines == 500
    assert len(out.tail) <= command.TAIL_LINES and out.tail[-1] == "line 500"


async def test_timeout_stops_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    t0 = time.monotonic()
    out = await run_command(f"sleep 30 & echo $! > {pidfile}; echo started; sleep 30", timeout_s=0.7)
    assert out.timed_out and out.exit_status is None
    assert time.monotonic() - t0 < 0.7 + 2 * command.KILL_GRACE_S + 2
    assert out.tail == ["started"]
    child = int(pidfile.read_text())
    time.sleep(0.2)
    try:
        os.kill(child, 0)
        alive = os.path.exists(f"/proc/{child}") and "Z" not in open(f"/proc/{child}/stat").read().split()[2]
    except ProcessLookupError:
        alive = False
    assert not alive, "the background child survived the timeout"


async def test_secret_env_reaches_the_command_but_not_the_output():
    seen = []
    out = await run_command('echo "t=$DEPLOY_TOKEN"; [ "$DEPLOY_TOKEN" = "' + SECRET + '" ] && echo match',
                            secrets_env={"DEPLOY_TOKEN": SECRET}, on_line=seen.append)
    assert out.exit_status == 0
    assert seen == ["t=[redacted:DEPLOY_TOKEN]", "match"]
    assert SECRET not in repr(out.evidence())


async def test_start_error_when_folder_is_missing(tmp_path):
    out = await run_command("true", cwd=tmp_path / "nope")
    assert out.start_error and out.exit_status is None


def test_targets_and_deadline():
    from launchready_tui.core.profile import parse_profile
    from launchready_tui.core.registry import MissingInput

    p = parse_profile("project: T\ndomain: a.test\n")
    try:
        command.targets(p, {"rollback": True})
        raise AssertionError("expected MissingInput")
    except MissingInput as e:
        assert e.key == "deploy.rollback"
    p2 = parse_profile("project: T\ndomain: a.test\ndeploy: {rollback: 'vercel rollback'}\n")
    assert command.targets(p2, {"rollback": True}) == ["deploy.rollback"]
    assert command.targets(p2, {"block": "b1"}) == ["block:b1"]
    assert command.deadline({"timeout_s": 5}, 5) > 5 + 2 * command.KILL_GRACE_S
    assert command.deadline({}, 5) > command.MAX_TIMEOUT_S
