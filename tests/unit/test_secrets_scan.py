"""The scanner on real files: skipping, bounds, bad input, source maps, bundle rules,
allowlist, and the result a person sees. Values never appear in any result."""

from __future__ import annotations

import asyncio
import builtins
import datetime as dt
import json
import os
import time

import pytest

from launchready_tui.core import allowlist as al
from launchready_tui.core.checks import secrets as sec
from launchready_tui.core.context import CheckContext
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.registry import MissingInput
from tests.unit.test_secrets_rules import STRIPE, r

GH = "ghp_" + r(36)
TODAY = dt.date(2026, 1, 15)


def scan(tmp_path, **kw):
    return sec.Scanner(base=tmp_path, **kw).scan([tmp_path])


def test_finds_and_reports_counts(tmp_path):
    (tmp_path / "a.py").write_text(f"x = 1\nKEY = '{STRIPE}'\n")
    (tmp_path / "b.txt").write_text("nothing here\n")
    rep = scan(tmp_path)
    assert rep.scanned == 2
    assert [(f.file, f.line, f.rule) for f in rep.findings] == [("a.py", 2, "stripe-live-secret-key")]


def test_skips_git_node_modules_and_virtualenvs(tmp_path):
    for d in (".git", "node_modules/pkg", "env/lib", "src"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "env/pyvenv.cfg").write_text("home = /usr\n")
    for d in (".git", "node_modules/pkg", "env/lib", "src"):
        (tmp_path / d / "f.js").write_text(f"t='{GH}'")
    rep = scan(tmp_path)
    assert rep.scanned == 1 and len(rep.findings) == 1 and rep.findings[0].file == "src/f.js"
    assert rep.skipped["skipped_folder"] == 2 and rep.skipped["virtualenv"] == 1


def test_skip_is_configurable(tmp_path):
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules/x.js").write_text(f"t='{GH}'")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor/y.js").write_text(f"t='{GH}'")
    rep = scan(tmp_path, skip=["!node_modules", "vendor"])
    assert [f.file for f in rep.findings] == ["node_modules/x.js"]
    assert rep.skipped["skipped_by_config"] == 1


def test_binary_non_utf8_and_special_files(tmp_path):
    (tmp_path / "img.png").write_bytes(b"\x89PNG" + GH.encode())
    (tmp_path / "blob").write_bytes(b"abc\x00def" + GH.encode())
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 ".encode("latin-1") + GH.encode())
    os.mkfifo(tmp_path / "pipe")
    rep = scan(tmp_path)
    assert rep.scanned == 0
    assert rep.skipped == {"binary": 2, "not_utf8": 1, "not_a_regular_file": 1}
    res = sec.evaluate(rep, "code", today=TODAY)
    assert res.status.value == "warn" and "Read nothing" in res.summary


def test_symlink_loops_and_broken_links(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d/f.txt").write_text(f"{GH}\n")
    os.symlink(tmp_path, tmp_path / "d/loop")  # directory cycle
    os.symlink(tmp_path / "self", tmp_path / "self")  # ELOOP
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    t0 = time.monotonic()
    rep = scan(tmp_path)
    assert time.monotonic() - t0 < 5
    assert len(rep.findings) == 1
    assert rep.skipped["symlink_loop"] == 2 and rep.skipped["broken_symlink"] == 1


def test_unreadable_file(tmp_path, monkeypatch):
    target = tmp_path / "secret.txt"
    target.write_text(GH)
    (tmp_path / "ok.txt").write_text("fine")
    if os.geteuid() != 0:
        target.chmod(0)
    else:  # root reads everything: simulate the permission error
        real_open = builtins.open

        def fake_open(path, *a, **kw):
            if str(path) == str(target):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *a, **kw)

        monkeypatch.setattr(builtins, "open", fake_open)
    rep = scan(tmp_path)
    assert rep.skipped["unreadable"] == 1 and rep.scanned == 1


def test_huge_minified_bundle_is_skipped_fast(tmp_path):
    big = tmp_path / "app.min.js"
    with open(big, "wb") as f:  # 200 MB, sparse: costs no disk and no time
        f.truncate(200 * 1024 * 1024)
    t0 = time.monotonic()
    rep = sec.Scanner(base=tmp_path, max_file_bytes=20 * 1024 * 1024).scan([tmp_path], "bundles")
    assert time.monotonic() - t0 < 2
    assert rep.skipped == {"too_large": 1}
    res = sec.evaluate(rep, "bundles", today=TODAY)
    assert res.status.value == "warn" and "too large" in res.summary


def test_long_single_line_bundle_within_cap(tmp_path):
    line = ("function a(b){return b+1};var c=" + r(30) + ";") * 160_000  # ~10 MB, one line
    (tmp_path / "app.js").write_text(line + f'var k="{STRIPE}";')
    t0 = time.monotonic()
    rep = sec.Scanner(base=tmp_path).scan([tmp_path], "bundles")
    assert time.monotonic() - t0 < 10
    assert [(f.line, f.rule) for f in rep.findings] == [(1, "stripe-live-secret-key")]


def test_time_budget_and_file_limit(tmp_path):
    for i in range(50):
        (tmp_path / f"f{i}.txt").write_text("x")
    rep = sec.Scanner(base=tmp_path, max_files=10).scan([tmp_path])
    assert rep.stopped.startswith("file limit") and rep.scanned == 10
    rep = sec.Scanner(base=tmp_path, max_seconds=0).scan([tmp_path])
    assert rep.stopped.startswith("time budget")
    assert sec.evaluate(rep, "code", today=TODAY).status.value in ("warn", "error")


def test_source_map_sources_content(tmp_path):
    m = {
        "version": 3,
        "sources": ["webpack://app/src/config.ts", "webpack://app/src/ok.ts"],
        "sourcesContent": ["export const a = 1;\n\nexport const k = '" + STRIPE + "';\n", "ok"],
        "mappings": "AAAA",
    }
    (tmp_path / "main.js.map").write_text(json.dumps(m))
    rep = sec.Scanner(base=tmp_path).scan([tmp_path], "bundles")
    (f,) = rep.findings
    assert (f.file, f.where, f.line) == ("main.js.map", "webpack://app/src/config.ts", 3)
    assert f.location() == "main.js.map > webpack://app/src/config.ts:3"


def test_missing_roots_is_error_not_pass(tmp_path):
    rep = sec.Scanner(base=tmp_path).scan([tmp_path / "dist"], "bundles")
    res = sec.evaluate(rep, "bundles", today=TODAY)
    assert res.status.value == "error" and "dist" in res.summary and res.fix


def test_empty_tree_says_it_read_nothing(tmp_path):
    (tmp_path / "dist").mkdir()
    rep = sec.Scanner(base=tmp_path).scan([tmp_path / "dist"], "bundles")
    res = sec.evaluate(rep, "bundles", today=TODAY)
    assert res.status.value == "warn" and "Read nothing" in res.summary


def _profile(tmp_path, extra=""):
    text = f"""project: Acme
domain: acme.example
environments:
  production: {{env_file: .env.production}}
  frontend: {{env_file: .env.public, public: true}}
required_env: [STRIPE_SECRET_KEY, SESSION_SECRET, API_URL]
code: {{paths: ["."], bundles: ["dist/"], logs: ["logs/"]}}
{extra}"""
    p = tmp_path / "launchready.yaml"
    p.write_text(text)
    return parse_profile(text, str(p))


SESSION = r(40)


def _world(tmp_path):
    (tmp_path / ".env.production").write_text(
        f"STRIPE_SECRET_KEY={STRIPE}\nSESSION_SECRET={SESSION}\nAPI_URL=https://api.acme.example\n"
    )
    (tmp_path / ".env.public").write_text("API_URL=https://api.acme.example\n")
    (tmp_path / "dist").mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src/app.py").write_text("print('hi')\n")
    (tmp_path / "logs/app.log").write_text(f"boot\nsession={SESSION[:10]}...\nuser signed in {SESSION}\n")
    (tmp_path / "dist/app.js").write_text(f'fetch("https://api.acme.example");var s="{SESSION}";')


def _run(profile, target, params=None, today=TODAY):
    ctx = CheckContext(profile=profile, net=None, clock=lambda: dt.datetime.combine(today, dt.time(), dt.UTC))
    return asyncio.run(sec.check(ctx, target, params or {}))


def test_targets_and_missing_input(tmp_path):
    p = _profile(tmp_path)
    assert sec.targets(p, {}) == ["code", "bundles", "logs"]
    assert sec.targets(p, {"areas": ["logs"]}) == ["logs"]
    bare = parse_profile("project: A\ndomain: a.example\n", str(tmp_path / "x.yaml"))
    with pytest.raises(MissingInput) as e:
        sec.targets(bare, {})
    assert e.value.key == "code.paths"


def test_server_env_value_in_bundle_and_log(tmp_path):
    _world(tmp_path)
    p = _profile(tmp_path)
    b = _run(p, "bundles")
    assert b.status.value == "fail"
    assert "shipped to every visitor's browser" in b.summary and "SESSION_SECRET" in b.summary
    assert "API_URL" not in b.summary  # a public URL is not a secret
    lg = _run(p, "logs")
    assert lg.status.value == "fail" and "written to a log" in lg.summary
    assert lg.evidence["findings"][0]["line"] == 3
    code = _run(p, "code")
    assert code.status.value == "pass"
    assert code.evidence["skipped_by_reason"] == {"env_file_checked_by_env": 2, "scanned_separately": 2}
    for res in (b, lg, code):
        blob = json.dumps(res.to_dict())
        assert SESSION not in blob and STRIPE not in blob


def test_allowlist_hides_until_expiry(tmp_path):
    _world(tmp_path)
    p = _profile(tmp_path)
    fp = sec.fingerprint(SESSION)
    (tmp_path / ".launchready").mkdir()
    (tmp_path / ".launchready/allow.yaml").write_text(
        f'allow:\n  - fingerprint: "{fp}"\n    reason: staging copy, rotated\n    expires: 2026-02-01\n'
    )
    ok = _run(p, "bundles")
    assert ok.status.value == "pass" and ok.evidence["allowlisted"][0]["allowed_until"] == "2026-02-01"
    late = _run(p, "bundles", today=dt.date(2026, 2, 2))
    assert late.status.value == "fail"
    assert late.evidence["findings"][0]["note"] == "allowlist entry expired on 2026-02-01"


def test_allowlist_bad_dates_are_reported(tmp_path):
    _world(tmp_path)
    p = _profile(tmp_path)
    fp = sec.fingerprint(SESSION)
    (tmp_path / ".launchready").mkdir()
    (tmp_path / ".launchready/allow.yaml").write_text(
        f'allow:\n  - fingerprint: "{fp}"\n    reason: x\n    expires: next tuesday\n'
    )
    res = _run(p, "bundles")
    assert res.status.value == "fail"  # a bad entry hides nothing
    assert "allow.yaml:4: allow[0].expires: 'next tuesday' is not a date" in res.evidence["allowlist_problems"][0]


def test_code_pass_reports_counts(tmp_path):
    _world(tmp_path)
    res = _run(_profile(tmp_path), "code")
    assert res.status.value == "pass"
    assert res.evidence["files_scanned"] == 2  # launchready.yaml and src/app.py
    assert "2 file(s) scanned" in res.summary


def test_deadline_follows_budget():
    assert sec.deadline({"max_seconds": 30}, 5) == 45
    assert sec.deadline({}, 5) >= sec.DEFAULT_MAX_SECONDS


def test_allowlist_parsing_is_generic():
    a = al.parse_allowlist(
        "allow:\n"
        "  - id: GHSA-aaaa-bbbb-cccc\n    reason: not reachable\n    expires: 2026-03-01\n"
        "  - fingerprint: 'abcd:12345678'\n    reason: fixture\n    expires: 2025-01-01\n"
        "  - fingerprint: 'abcd:12345678'\n    reason: renewed\n    expires: 2026-06-01\n"
        "  - fingerprint: 'x'\n    expires: 2026-01-01\n"
        "  - reason: nothing named\n    expires: 2026-01-01\n"
        "  - id: y\n    reason: r\n    expires: 2026-02-30\n",
        "allow.yaml",
    )
    assert a.allows(id="ghsa-AAAA-bbbb-cccc", today=TODAY)
    entry, expired = a.match(fingerprint="abcd:12345678", today=TODAY)
    assert entry.reason == "renewed" and not expired  # the live entry wins
    assert [p.format() for p in a.problems] == [
        "allow.yaml:11: allow[3].reason: is missing (expected why this is accepted)",
        "allow.yaml:13: allow[4]: names no `fingerprint` or `id` (expected one of them)",
        "allow.yaml:17: allow[5].expires: '2026-02-30' is not a date (expected YYYY-MM-DD)",
    ]
    assert len(a.entries) == 3 and len(a.expired_entries(TODAY)) == 1


def test_allowlist_bad_files(tmp_path):
    assert al.load_allowlist(tmp_path / "none.yaml").entries == []
    (tmp_path / "a.yaml").write_text("allow: [unclosed\n")
    assert "not valid YAML" in al.load_allowlist(tmp_path / "a.yaml").problems[0].message
    (tmp_path / "b.yaml").write_bytes(b"allow:\n  - reason: caf\xe9\n")
    assert al.load_allowlist(tmp_path / "b.yaml").problems[0].line == 2
    (tmp_path / "c.yaml").write_text("- id: X\n  reason: top-level list\n  expires: 2030-01-01\n")
    assert al.load_allowlist(tmp_path / "c.yaml").allows(id="x", today=TODAY)
