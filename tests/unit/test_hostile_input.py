"""Issue 20, bad input: each gets one clear message with file, line and field (exit 2 on
the command line), never a traceback, a hang or gigabytes of memory; and durability of
the state folder after kills."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from launchready_tui.core.errors import ProfileError, RunbookError, UsageError
from launchready_tui.core.net import parse_connect_to, parse_nameserver
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.runbook import parse_runbook, render
from launchready_tui.core.state import StateStore

BASE = "project: T\ndomain: acme.example\n"
LAUGHS = "".join(
    f"{c}: &{c} [" + ",".join([f"*{p}"] * 9 if p else ['"lol"'] * 9) + "]\n"
    for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def cli(*args, cwd=None, stdin: bytes | None = None, timeout=30):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "launchready_tui", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=timeout, env=env)


def problem(e) -> str:
    return "\n".join(p.format() for p in e.value.problems)


# ---------------------------------------------------------------- YAML alias bombs


def test_alias_bomb_profile_is_refused_fast_with_a_line():
    t = time.monotonic()
    with pytest.raises(ProfileError) as e:
        parse_profile(BASE + LAUGHS, "bomb.yaml")
    assert time.monotonic() - t < 2
    assert "aliases" in problem(e) and "bomb.yaml:" in problem(e)
    assert e.value.problems[0].line is not None


RUNBOOK = """---
id: r
title: R
goal: g
summary: s
stage: 1
{front}---
## Step {{#s}}

```check
kind: dns
{block}```
"""


def test_alias_bomb_in_runbook_block_and_front_matter():
    block = "".join("  " + line + "\n" for line in LAUGHS.splitlines())
    with pytest.raises(RunbookError) as e:
        parse_runbook(RUNBOOK.format(front="", block="extra:\n" + block), "rb.md")
    assert "aliases" in problem(e) and e.value.problems[0].line >= 10
    with pytest.raises(RunbookError) as e:
        parse_runbook(RUNBOOK.format(front=LAUGHS, block=""), "rb.md")
    assert "aliases" in problem(e)


def test_small_anchors_still_work():
    p = parse_profile(BASE + "hosts: &h {app: app.acme.example}\nowners: {a: x}\n", "p.yaml")
    assert p.hosts == {"app": "app.acme.example"}


# ---------------------------------------------------------------- duplicate keys


def test_duplicate_key_names_both_lines():
    with pytest.raises(ProfileError) as e:
        parse_profile(BASE + "monitor: []\ndomain: other.example\n", "p.yaml")
    text = problem(e)
    assert "'domain' appears twice" in text and "line 2" in text and "line 4" in text


# ---------------------------------------------------------------- host names


@pytest.mark.parametrize("bad,why", [
    ("localhost", "this computer"), ("app.localhost", "this computer"), ("127.0.0.1", "IP address"),
    ("::1", "IP address"), ("a" * 64 + ".example", "at most 63"), (("a" * 60 + ".") * 5 + "example", "at most 253"),
    ("exa mple.com", "URL"), ("a..example", "empty part"),
])
def test_bad_domains_are_refused_at_load(bad, why):
    with pytest.raises(ProfileError) as e:
        parse_profile(f"project: T\ndomain: '{bad}'\n", "p.yaml")
    assert why in problem(e) and "p.yaml:2" in problem(e), problem(e)


def test_idn_domain_is_stored_as_a_label_and_shown_as_u_label():
    p = parse_profile("project: T\ndomain: exämple.com\nhosts: {app: app.exämple.com}\n", "p.yaml")
    assert p.domain == "xn--exmple-cua.com" and p.hosts["app"] == "app.xn--exmple-cua.com"
    assert p.display_host() == "exämple.com"
    assert p.is_own_host("app.exämple.com") and p.is_own_host("XN--EXMPLE-CUA.COM")
    assert not p.is_own_host("example.com")


def test_unreadable_ca_bundle_is_a_load_error(tmp_path):
    with pytest.raises(ProfileError) as e:
        parse_profile(BASE + "network: {ca_bundle: missing.pem}\n", str(tmp_path / "p.yaml"))
    assert "network.ca_bundle" in problem(e) and "does not exist" in problem(e)
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(ProfileError) as e:
        parse_profile(BASE + "network: {ca_bundle: junk.pem}\n", str(tmp_path / "p.yaml"))
    assert "no PEM certificate" in problem(e)


# ---------------------------------------------------------------- ports


def test_non_ascii_digits_are_not_a_port():
    arabic = "\u0665\u0663"  # Arabic-Indic 5 3
    with pytest.raises(ValueError):
        parse_nameserver(f"127.0.0.1:{arabic}")
    with pytest.raises(ValueError):
        parse_connect_to(f"a.example:{arabic}:127.0.0.1:443")
    with pytest.raises(ProfileError) as e:
        parse_profile(BASE + f"network: {{nameservers: ['127.0.0.1:{arabic}']}}\n", "p.yaml")
    assert "network.nameservers[0]" in problem(e)


def test_connect_to_errors_never_echo_the_value():
    secret = "hunter2-" + "Tq8Zx3Lm"
    for bad in (secret, f"{secret}:443", f"a:443:{secret}:x", f"a:x{secret}:b:443"):
        with pytest.raises(ValueError) as e:
            parse_connect_to(bad)
        assert secret not in str(e.value) and "hunter2" not in str(e.value)


# ---------------------------------------------------------------- runbooks


def test_unclosed_code_fence_is_a_lint_error():
    text = RUNBOOK.format(front="", block="").rstrip().removesuffix("```") + "\n## Next {#n}\n\ntext\n"
    with pytest.raises(RunbookError) as e:
        parse_runbook(text, "rb.md")
    assert "never closed" in problem(e) and "rb.md:10" in problem(e), problem(e)


def test_hosts_template_renders_the_host_names():
    p = parse_profile(BASE + "hosts: {app: app.acme.example, api: api.acme.example}\n", "p.yaml")
    assert render("{{ hosts }}", p) == ["app.acme.example", "api.acme.example"]
    assert render(["{{ hosts }}", "x.acme.example"], p) == ["app.acme.example", "api.acme.example", "x.acme.example"]
    assert render("check {{ hosts }}", p) == "check app.acme.example, api.acme.example"


# ---------------------------------------------------------------- .env files


def test_nested_env_expansion_is_bounded():
    from launchready_tui.core.checks.env import parse_env_text

    lines = ["A0=xxxxxxxxxxxxxxxx"] + [f"A{i}=${{A{i - 1}}}${{A{i - 1}}}${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 25)]
    text = "\n".join(lines) + "\nAFTER=ok\n"
    assert len(text) < 1000
    t = time.monotonic()
    values, where, errors = parse_env_text(text)
    assert time.monotonic() - t < 2
    assert max(len(v) for v in values.values()) <= 64 * 1024
    assert errors and errors[0] == 8  # A7 = 16 * 4**7 bytes: the first value past 64 KB
    assert values["AFTER"] == "ok"


def test_unclosed_quote_reports_its_line_and_keeps_the_next_variable():
    from launchready_tui.core.checks.env import parse_env_text

    values, lines, errors = parse_env_text('A=1\nB="unclosed\nC=keep\nD=also\n')
    assert errors == [2]
    assert values["C"] == "keep" and values["D"] == "also" and "B" not in values
    values, lines, errors = parse_env_text('B="unclosed\nC=keep"\nD=1\n')
    assert errors == [1] and values["D"] == "1"


# ---------------------------------------------------------------- special files


@pytest.fixture
def fifo(tmp_path):
    p = tmp_path / "pipe.yaml"
    os.mkfifo(p)
    return p


def test_profile_and_lint_refuse_devices_and_fifos_at_once(tmp_path, fifo):
    for args in (("check", "--profile", "/dev/zero"), ("lint", "/dev/zero"), ("check", "--profile", str(fifo)),
                 ("lint", str(fifo))):
        t = time.monotonic()
        r = cli(*args, cwd=tmp_path, timeout=30)
        assert r.returncode == 2, (args, r.stderr)
        assert time.monotonic() - t < 20
        err = r.stderr.decode() + r.stdout.decode()
        assert "not a regular file" in err and "Traceback" not in err, err


def test_env_file_that_is_a_fifo_or_huge_is_refused(tmp_path, fifo):
    from launchready_tui.core.checks.env import EnvReadError, load_environment

    p = parse_profile(BASE, str(tmp_path / "launchready.yaml"))
    with pytest.raises(EnvReadError) as e:
        load_environment(p, "production", {"env_file": str(fifo)})
    assert "not a regular file" in e.value.reason
    (tmp_path / ".env.big").write_bytes(b"A=" + b"x" * (2 * 1024 * 1024))
    with pytest.raises(EnvReadError) as e:
        load_environment(p, "production", {"env_file": ".env.big"})
    assert "larger than 1 MB" in e.value.reason


def test_big_profile_is_refused(tmp_path):
    from launchready_tui.core.profile import load_profile

    big = tmp_path / "launchready.yaml"
    big.write_text(BASE + "# " + "x" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(ProfileError) as e:
        load_profile(big)
    assert "larger than" in problem(e)


# ---------------------------------------------------------------- --output


def test_output_refuses_symlinks_and_streams_into_fifos(tmp_path, fifo):
    from launchready_tui.core.outfile import write_output

    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    with pytest.raises(UsageError) as e:
        write_output(link, b"report")
    assert "symbolic link" in str(e.value.problems[0].message)
    assert link.is_symlink() and target.read_text() == "keep me"

    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    time.sleep(0.1)
    write_output(fifo, b"streamed")
    reader.join(5)
    assert got == [b"streamed"] and fifo.is_fifo()  # streamed into, not replaced
    with pytest.raises(UsageError):
        write_output(tmp_path, b"x")  # a folder
    write_output(tmp_path / "new.json", b"ok")
    assert (tmp_path / "new.json").read_bytes() == b"ok"


def test_check_output_to_a_symlink_exits_2(tmp_path):
    (tmp_path / "launchready.yaml").write_text(BASE + "network: {nameservers: ['127.0.0.1:9'], timeout_s: 0.2}\n")
    (tmp_path / "real.txt").write_text("keep")
    (tmp_path / "out.txt").symlink_to(tmp_path / "real.txt")
    r = cli("check", "--runbook", "quick-audit", "--output", "out.txt", cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and b"symbolic link" in r.stderr and b"Traceback" not in r.stderr
    assert (tmp_path / "real.txt").read_text() == "keep"


# ---------------------------------------------------------------- credentials --stdin


def test_credentials_stdin_not_utf8_is_a_message(tmp_path):
    (tmp_path / "launchready.yaml").write_text(BASE)
    r = cli("credentials", "add", "stripe", "--stdin", cwd=tmp_path, stdin=b"\xff\xfe\x00sk_live_x\n")
    err = r.stderr.decode()
    assert r.returncode == 2 and "not UTF-8" in err and "Traceback" not in err, err


# ---------------------------------------------------------------- durability


def test_torn_history_line_costs_only_itself(tmp_path):
    s = StateStore(tmp_path)
    s.append_history({"n": 1})
    with open(s.history_path, "ab") as f:  # a kill -9 in the middle of a big append
        f.write(b'{"n": 2, "payload": "' + b"x" * 100_000)
    s.append_history({"n": 3})
    s.append_history({"n": 4})
    assert [e["n"] for e in s.read_history()] == [1, 3, 4]
    assert s.history_skipped == [2]
    # a file damaged by an older version (the next entry glued to the fragment) recovers it
    s.history_path.write_bytes(b'{"n": 1}\n{"n": 2, "pay' + b'{"n": 3, "x": {"y": 1}}\n{"n": 4}\n')
    assert [e["n"] for e in s.read_history()] == [1, 3, 4]


def test_stale_state_temp_files_are_removed_on_start(tmp_path):
    d = tmp_path / ".launchready"
    d.mkdir()
    for i in range(3):
        (d / f".state.json.abc{i}.tmp").write_bytes(b"x" * 1000)
    (d / ".other.tmp").write_text("not ours")
    StateStore(d).set_note("rb", "s", "hi")
    assert not list(d.glob(".state.json.*.tmp"))
    assert (d / ".other.tmp").exists()
    assert json.loads((d / "state.json").read_text())["notes"]["rb/s"]["text"] == "hi"


def test_connect_to_with_an_idn_host_uses_its_a_label():
    rule = parse_connect_to("exämple.test:443:127.0.0.1:8443")
    assert rule.host == "xn--exmple-cua.test" and rule.matches("xn--exmple-cua.test", 443)


def test_output_to_dev_stdout_streams_and_replaces_nothing(tmp_path, fifo):
    from launchready_tui.core.outfile import write_output

    (tmp_path / "launchready.yaml").write_text(BASE + "network: {nameservers: ['127.0.0.1:9'], timeout_s: 0.2}\n")
    before = os.lstat("/dev/stdout")
    r = cli("check", "--runbook", "quick-audit", "--format", "json", "--output", "/dev/stdout", cwd=tmp_path,
            timeout=120)
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(r.stdout)["version"] == 1
    after = os.lstat("/dev/stdout")
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    # a symlink to a FIFO is streamed into like the FIFO itself
    link = tmp_path / "to-pipe"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    time.sleep(0.1)
    write_output(link, b"via link")
    reader.join(5)
    assert got == [b"via link"] and link.is_symlink() and fifo.is_fifo()
