"""Secret values never reach output.

Plants distinctive values in env files, a bundle, a source map, logs and the keyring;
runs every headless CLI command with every output format; then greps stdout, stderr,
every report file and every file written under `.launchready/`. Each value must appear
zero times. (The handover issue extends this to `export`; it is included here already.)

The keyring is a test file backend in a subprocess-safe place outside the project (see
tests/unit/conftest_keyring.py); the real Secret Service is covered by
test_keyring_real.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.conftest_keyring import file_keyring_env

pytestmark = pytest.mark.integration

# Distinctive, secret-shaped values (assembled so the repository holds no literal key).
P = {
    "stripe": "sk_" + "live_" + "RDX7q2LmZp81Vb0Kc4Tw9NsA",
    "session": "sEsS10n" + "Q8vK2mX7pL4zR9tB1wY6nC3",
    "db_password": "dbPw" + "7Hq2Xz9Lm4Kc",
    "github": "ghp_" + "Q7mK2xP9vL4zR8tB1wY6nC3dF5gH0jS2aE4u",
    "openai": "sk-proj-" + "Xc8Vb7Nm6Qw5Er4Ty3Ui2Op1As9Df8Gh7Jk6Lz5Xc4Vb3Nm2",
    "jwt_sig": "Zm9vYmFy" + "c2lnbmF0dXJlLXRlc3QtdmFsdWU",
    "keyring": "sk_" + "live_" + "KEYRING0only9Q8vK2mX7pL4",
    "keyring_rotated": "sk_" + "live_" + "ROTATED0only7Hq2Xz9Lm4Kc",
    "staging_only": "stg" + "Only5Wq8Rt2Yu6Io9Pa3Sd7F",
}


def _b64(obj) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


JWT = _b64({"alg": "HS256", "typ": "JWT"}) + "." + _b64({"sub": "admin", "role": "service_role"}) + "." + P["jwt_sig"]


def _world(root: Path) -> None:
    (root / "launchready.yaml").write_text(
        "project: Redact Co\n"
        "domain: redact.example\n"
        "environments:\n"
        "  production: {env_file: .env.production}\n"
        "  staging: {env_file: .env.staging}\n"
        "required_env: [DATABASE_URL, STRIPE_SECRET_KEY, SESSION_SECRET]\n"
        "code: {paths: [src], bundles: [dist], logs: [logs]}\n"
        "network: {nameservers: ['127.0.0.1:9'], timeout_s: 0.3}\n"
    )
    db = f"postgres://app:{P['db_password']}@db.prod.internal:5432/app"
    (root / ".env.production").write_text(
        f"DATABASE_URL={db}\nSTRIPE_SECRET_KEY={P['stripe']}\nSESSION_SECRET={P['session']}\nDEBUG=true\n"
        f"NEXT_PUBLIC_STRIPE_SECRET={P['stripe']}\n"
    )
    (root / ".env.staging").write_text(
        f"DATABASE_URL=postgres://app:{P['staging_only']}@staging-db:5432/app\n"
        f"STRIPE_SECRET_KEY=sk_test_{P['staging_only']}\nSESSION_SECRET={P['session']}\nBROKEN LINE {P['staging_only']}\n"
    )
    (root / "src").mkdir()
    (root / "src/config.py").write_text(f'GITHUB_TOKEN = "{P["github"]}"\n')
    (root / "dist").mkdir()
    (root / "dist/app.js").write_text(f'!function(){{var s="{P["session"]}";}}();\n')
    (root / "dist/app.js.map").write_text(json.dumps({
        "version": 3, "sources": ["src/ai.ts"], "mappings": "AAAA",
        "sourcesContent": [f"export const key = '{P['openai']}';\n"],
    }))
    (root / "logs").mkdir()
    (root / "logs/app.log").write_text(f"boot\nAuthorization: Bearer {JWT}\nconnecting to {db}\n")


def _run(root: Path, env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "launchready_tui", *args],
        cwd=root, env=env, input=stdin, capture_output=True, text=True, timeout=300,
    )


def test_secret_values_appear_nowhere(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    _world(root)
    reports = tmp_path / "reports"
    reports.mkdir()
    env = dict(os.environ, **file_keyring_env(tmp_path / "keyring.json"))
    env.pop("LAUNCHREADY_ENV_FROM_PROCESS", None)

    outputs: list[tuple[str, str]] = []

    def run(*args: str, stdin: str | None = None, ok=(0, 1)) -> subprocess.CompletedProcess:
        r = _run(root, env, *args, stdin=stdin)
        assert r.returncode in ok, (args, r.returncode, r.stderr[-2000:])
        outputs.append((f"stdout of {' '.join(args)}", r.stdout))
        outputs.append((f"stderr of {' '.join(args)}", r.stderr))
        return r

    # credentials: every action and format; values go in through stdin only
    run("credentials", "add", "stripe-live", "--label", "Stripe live", "--reference", "1Password Ops",
        "--owner", "Maya", "--rotate-every", "90d", "--last-rotated", "2026-01-01", "--stdin",
        stdin=P["keyring"] + "\n", ok=(0,))
    run("credentials", "add", "session", "--owner", "Sam", "--no-value", ok=(0,))
    run("credentials", "list", ok=(0,))
    run("credentials", "list", "--format", "json", ok=(0,))
    run("credentials", "rotate", "stripe-live", "--stdin", stdin=P["keyring_rotated"], ok=(0,))
    run("credentials", "add", "x", "--value", P["keyring"], ok=(2,))  # refused, and not echoed

    # checks: every format, to stdout and to files, text with evidence
    json_out = None
    for fmt in ("text", "json", "junit"):
        r = run("check", "--format", fmt, "--verbose")
        if fmt == "json":
            json_out = json.loads(r.stdout)
        run("check", "--format", fmt, "--output", str(reports / f"report.{fmt}"))
    for rb, step in (("quick-audit", "env-present"), ("deploy-path", "env-vars"), ("auth-secrets", "scan")):
        run("check", "--runbook", rb, "--step", step, "--format", "json")

    # export, both formats, to files and stdout
    for fmt in ("md", "html"):
        run("export", "--format", fmt, "--output", str(reports / f"handover.{fmt}"), ok=(0, 1, 2))
        run("export", "--format", fmt, "--output", "-", ok=(0, 1, 2))
    run("runbooks", ok=(0, 2))
    run("lint", "launchready.yaml", ok=(0, 1, 2))

    # the checks really ran and found the planted secrets (else this test proves nothing)
    assert json_out is not None
    by_kind: dict[str, list[dict]] = {}
    for res in json_out["results"]:
        by_kind.setdefault(res["check"], []).append(res)
    assert any(r["status"] == "fail" for r in by_kind["env"])
    assert {r["target"] for r in by_kind["secrets"] if r["status"] == "fail"} >= {"code", "bundles", "logs"}
    assert any(r["status"] in ("pass", "warn") for r in by_kind["credentials"])
    from launchready_tui.core.checks.secrets import fingerprint

    blob = json.dumps(json_out)
    for name in ("github", "openai", "session", "db_password"):
        assert fingerprint(P[name]) in blob, name  # found, and shown only as a fingerprint
    assert (reports / "handover.md").is_file() and (reports / "handover.html").is_file()

    # grep everything
    files = [p for p in (root / ".launchready").rglob("*") if p.is_file()]
    files += [p for p in reports.rglob("*") if p.is_file()]
    files += [p for p in root.glob("handover-*") if p.is_file()]
    assert any(p.name == "state.json" for p in files)
    texts = outputs + [(str(p), p.read_text(errors="replace")) for p in files]
    leaks = [(where, name) for where, text in texts for name, value in P.items() if value in text]
    leaks += [(where, "jwt") for where, text in texts if JWT in text]
    assert not leaks, leaks


# Issue 20: values nobody told LaunchReady about - printed by a command, written into
# profile URLs, passed to --connect-to - are found nowhere either.
Q = {
    "cmd_github": "ghp_" + "Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c",
    "cmd_pg_password": "pgPw" + "9Kq3Lz7Xc2Vb",
    "url_password": "urlPw" + "5Tg8Yh2Uj6Ik",
    "url_token": "qTok" + "3Rf6Ed9Ws2Qa8Zx",
    "url_api_key": "qKey" + "7Mn4Bv1Cx8Lk",
    "url_sig": "qSig" + "2Po5Iu8Yt1Re",
    "connect_to": "ctSecret" + "4Hj7Kl0Mn3Bv",
}


def test_unknown_secrets_from_commands_urls_and_connect_to_appear_nowhere(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    pg = f"postgres://app:{Q['cmd_pg_password']}@db.prod.internal:5432/app"
    (root / "rollback.sh").write_text(
        "echo 'rolling back...'\n"
        f"echo 'git remote: https://x-access-token:{Q['cmd_github']}@github.com/acme/app.git'\n"
        f"echo 'token {Q['cmd_github']}'\n"
        f"echo 'DATABASE_URL={pg}'\n"
        "echo done\n"
    )
    site = "https://redact.example"
    (root / "launchready.yaml").write_text(
        "project: Redact Co\n"
        "domain: redact.example\n"
        "monitor:\n"
        f"  - 'https://admin:{Q['url_password']}@redact.example/health'\n"
        f"  - '{site}/status?token={Q['url_token']}&x=1'\n"
        "performance:\n"
        f"  pages: [{{url: '{site}/?api_key={Q['url_api_key']}'}}]\n"
        "deploy:\n"
        "  rollback: sh rollback.sh\n"
        f"  smoke: ['{site}/ok?sig={Q['url_sig']}']\n"
        "network: {nameservers: ['127.0.0.1:9'], timeout_s: 0.3}\n"
    )
    reports = tmp_path / "reports"
    reports.mkdir()
    env = dict(os.environ, **file_keyring_env(tmp_path / "keyring.json"))
    outputs: list[tuple[str, str]] = []

    def run(*args: str, ok=(0, 1)) -> subprocess.CompletedProcess:
        r = _run(root, env, *args)
        assert r.returncode in ok, (args, r.returncode, r.stderr[-2000:])
        outputs.append((f"stdout of {' '.join(args)}", r.stdout))
        outputs.append((f"stderr of {' '.join(args)}", r.stderr))
        return r

    drill = ("--runbook", "deploy-path", "--step", "rollback", "--yes")
    js = json.loads(run("check", *drill, "--format", "json").stdout)
    run("check", *drill, "--format", "text", "--verbose")
    run("check", *drill, "--format", "junit", "--output", str(reports / "drill.xml"))
    run("check", "--format", "text", "--verbose")
    run("check", "--format", "json", "--output", str(reports / "all.json"))
    run("check", "--connect-to", f"{Q['connect_to']}:443", ok=(2,))
    run("check", "--connect-to", f"redact.example:443:{Q['connect_to']}:x", ok=(2,))
    for fmt in ("md", "html"):
        run("export", "--format", fmt, "--output", str(reports / f"handover.{fmt}"), ok=(0, 1, 2))
        run("export", "--format", fmt, "--output", "-", ok=(0, 1, 2))

    # the command really ran and printed (redacted) lines: else this proves nothing
    cmd = [r for r in js["results"] if r["check"] == "command"]
    assert cmd and cmd[0]["evidence"]["exit_status"] == 0, cmd
    tail = "\n".join(cmd[0]["evidence"]["output_tail"])
    assert "rolling back" in tail and "[redacted" in tail and "db.prod.internal" in tail
    files = [p for p in (root / ".launchready").rglob("*") if p.is_file()]
    files += [p for p in reports.rglob("*") if p.is_file()]
    files += [p for p in root.glob("handover-*") if p.is_file()]
    assert {"state.json", "history.jsonl"} <= {p.name for p in files}
    texts = outputs + [(str(p), p.read_text(errors="replace")) for p in files]
    assert any("redact.example/health" in t for _, t in texts)  # the URLs are shown, cleaned
    leaks = [(where, name) for where, text in texts for name, value in Q.items() if value in text]
    assert not leaks, leaks
