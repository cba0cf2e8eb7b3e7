"""`launchready dkim-selectors`: d=/s= pairs from a pasted header, ready for the profile."""

from __future__ import annotations

import io

import yaml

from launchready_tui.cli import main
from launchready_tui.core.checks.email.dkim import profile_snippet, selectors_from_header

HEADER = """\
Delivered-To: someone@gmail.example
Received: by 2002:a05:6000:1:b0:1 with SMTP id x; Mon, 2 Mar 2026 01:02:03 -0800
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=acme.test; s=google;
        h=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=Mailer.Example;
\ts=s1; t=1700000000; h=from; bh=abc=; b=def=
dkim-signature: v=1; a=ed25519-sha256; d=acme.test; s=ed1; bh=x; b=y
DKIM-Signature: v=1; a=rsa-sha256; d=acme.test; s=google; bh=x; b=z
From: Acme <hello@acme.test>
Subject: Welcome

Body text that quotes a header:
DKIM-Signature: v=1; d=evil.test; s=nope; b=x
"""


def test_pairs_are_found_unfolded_and_deduplicated():
    sigs = selectors_from_header(HEADER)
    assert [(s["d"], s["s"], s["a"]) for s in sigs] == [
        ("acme.test", "google", "rsa-sha256"),
        ("mailer.example", "s1", "rsa-sha256"),
        ("acme.test", "ed1", "ed25519-sha256"),
    ]


def test_snippet_is_valid_yaml_for_the_profile():
    snippet = profile_snippet(selectors_from_header(HEADER))
    data = yaml.safe_load(snippet)
    assert data["email"]["domain"] == "acme.test"
    assert data["email"]["dkim_selectors"] == ["google", "s1._domainkey.mailer.example", "ed1"]
    assert "not acme.test" in snippet


def test_command_reads_a_file(tmp_path, capsys):
    f = tmp_path / "header.txt"
    f.write_text(HEADER.replace("\n", "\r\n"), encoding="utf-8")
    assert main(["dkim-selectors", str(f), "--domain", "mailer.example"]) == 0
    out = capsys.readouterr().out
    assert "d=acme.test       s=google  (rsa-sha256)" in out
    assert "    - s1\n" in out and "google._domainkey.acme.test" in out


def test_command_reads_stdin_and_uses_the_profile_domain(tmp_path, capsys, monkeypatch):
    prof = tmp_path / "launchready.yaml"
    prof.write_text("project: P\ndomain: acme.test\nemail:\n  domain: mailer.example\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(HEADER))
    assert main(["dkim-selectors", "--profile", str(prof)]) == 0
    assert "    - s1\n" in capsys.readouterr().out


def test_command_without_signatures_exits_1(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("From: a@b.test\nSubject: hi\n\nbody\n"))
    assert main(["dkim-selectors"]) == 1
    assert "No DKIM-Signature" in capsys.readouterr().err


def test_command_missing_file_exits_2(tmp_path, capsys):
    assert main(["dkim-selectors", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
