"""Redaction, extended to the handover: secret values planted in the keyring, env files,
built bundles and logs appear zero times in either export format.

Two runs. In the first nobody pastes a secret anywhere: stdout, stderr, every file under
`.launchready/` and both exports must be clean. In the second a tired person pasted the
keyring value and an env secret into a step note and a record: the state keeps what they
typed (it is theirs), but the handover must still never show it.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.unit.conftest_keyring import file_keyring_env

pytestmark = pytest.mark.integration

KEYRING_VALUE = "kr-VALUE-7Hq2Zp9Lw4Xe1Rt6Ny3Bv8"
STRIPE_LIVE = "sk_live_51HqPLANTEDzZ9yX8wV7uT6sR5qP4oN3"
DB_PASSWORD = "pw-PLANTED-Vx93kQ1mZr"
LOG_TOKEN = "ghp_PLANTEDr8Kq2Wm5Zx7Ty1Uv3Ns6Lp0Hj4Gf9"
STAGING_SECRET = "whsec_PLANTEDstagingA1b2C3d4E5f6G7h8"
SECRETS = [KEYRING_VALUE, STRIPE_LIVE, DB_PASSWORD, LOG_TOKEN, STAGING_SECRET]

PROFILE = textwrap.dedent("""\
    project: Redaction Co
    domain: redact.example
    environments:
      production:
        env_file: .env.production
        production: true
      staging:
        env_file: .env.staging
    required_env: [STRIPE_SECRET_KEY, DATABASE_URL, WEBHOOK_SECRET]
    code:
      paths: [src]
      bundles: [dist]
      logs: [logs]
    deploy:
      rollback: "echo rolling back"
    """)

RUNBOOK = textwrap.dedent("""\
    ---
    id: secrets-stage
    title: "Stage 5: Secrets"
    stage: 5
    goal: Keep secrets secret.
    summary: Env vars, scans and the credential inventory.
    ---

    # Stage 5: Secrets

    ## Scan {#scan}

    ```check
    id: env
    kind: env
    ```

    ```check
    id: scan
    kind: secrets
    ```

    ```check
    id: creds
    kind: credentials
    ```

    ```record
    id: secret-inventory
    label: Secret inventory
    fields:
      - id: notes
        label: Notes
        type: multiline
    ```
    """)


def _project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "launchready.yaml").write_text(PROFILE, encoding="utf-8")
    (root / ".env.production").write_text(
        f"STRIPE_SECRET_KEY={STRIPE_LIVE}\nDATABASE_URL=postgres://app:{DB_PASSWORD}@db.internal:5432/app\n"
        f"WEBHOOK_SECRET={STRIPE_LIVE}x\n", encoding="utf-8")
    (root / ".env.staging").write_text(
        f"STRIPE_SECRET_KEY=sk_test_51HqStagingOnlyKey0000\nDATABASE_URL=postgres://app:staging@db:5432/app\n"
        f"WEBHOOK_SECRET={STAGING_SECRET}\n", encoding="utf-8")
    (root / "src").mkdir()
    (root / "src" / "config.py").write_text(f'GITHUB_TOKEN = "{LOG_TOKEN}"\n', encoding="utf-8")
    (root / "dist").mkdir()
    (root / "dist" / "app.js").write_text(f'const k="{STRIPE_LIVE}";fetch("/api",{{headers:{{a:k}}}});\n',
                                          encoding="utf-8")
    (root / "logs").mkdir()
    (root / "logs" / "app.log").write_text(f"2026-03-01 auth ok token={LOG_TOKEN} user=1\n", encoding="utf-8")
    rb = root / "runbooks"
    rb.mkdir()
    (rb / "stage-5.md").write_text(RUNBOOK, encoding="utf-8")
    return root


def _run_all(root: Path, env: dict) -> list[str]:
    prof = str(root / "launchready.yaml")
    rb = str(root / "runbooks")
    outputs = []
    r = run_cli("credentials", "add", "stripe-live", "--label", "Stripe live key", "--reference",
                "1Password > Ops > Stripe", "--owner", "Dana", "--rotate-every", "90d", "--last-rotated",
                "2026-01-01", "--stdin", "--profile", prof, env=env, stdin=KEYRING_VALUE + "\n")
    assert r.returncode == 0, r.stderr
    outputs += [r.stdout, r.stderr]
    r = run_cli("check", "--profile", prof, "--runbooks", rb, "--format", "json", env=env)
    assert r.returncode in (0, 1), r.stderr
    outputs += [r.stdout, r.stderr]
    for fmt in ("md", "html"):
        r = run_cli("export", "--profile", prof, "--runbooks", rb, "--format", fmt,
                    "-o", str(root / f"handover.{fmt}"), env=env)
        assert r.returncode == 0, r.stderr
        outputs += [r.stdout, r.stderr]
        r = run_cli("export", "--profile", prof, "--runbooks", rb, "--format", fmt, "-o", "-", env=env)
        assert r.returncode == 0, r.stderr
        outputs += [r.stdout, r.stderr]
    return outputs


def _keyring_env(root: Path) -> dict:
    return file_keyring_env(root.parent / f"{root.name}-keyring.json")


def test_no_secret_value_anywhere(tmp_path):
    root = _project(tmp_path / "clean")
    env = _keyring_env(root)
    outputs = _run_all(root, env)
    # the plant worked: the keyring holds the value, the scans saw the leaks
    assert KEYRING_VALUE in (root.parent / "clean-keyring.json").read_text()
    state = json.loads((root / ".launchready" / "state.json").read_text())
    statuses = {r["check"]: r["status"] for r in state["results"].values()}
    assert statuses.get("secrets") == "fail", statuses
    files = [p for p in (root / ".launchready").rglob("*") if p.is_file()]
    files += [root / "handover.md", root / "handover.html"]
    for secret in SECRETS:
        for text in outputs:
            assert secret not in text
        for f in files:
            assert secret not in f.read_text(encoding="utf-8", errors="replace"), f"{secret} in {f}"
    handover = (root / "handover.md").read_text()
    assert "1Password \\> Ops \\> Stripe" in handover  # where it lives is shown (escaped); the value never


def test_pasted_secrets_are_redacted_from_the_handover(tmp_path):
    from launchready_tui.core.state import StateStore

    root = _project(tmp_path / "pasted")
    env = _keyring_env(root)
    store = StateStore(root / ".launchready")
    store.set_note("secrets-stage", "scan", f"the live key is {STRIPE_LIVE}, keyring has {KEYRING_VALUE}")
    store.set_record("secrets-stage", "scan", "secret-inventory", "notes",
                     f"db password {DB_PASSWORD}; staging webhook {STAGING_SECRET}", "Dana")
    _run_all(root, env)
    for fmt in ("md", "html"):
        text = (root / f"handover.{fmt}").read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, f"{secret} in handover.{fmt}"
        assert "redacted" in text
