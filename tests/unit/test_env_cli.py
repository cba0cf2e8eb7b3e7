"""The CI use of the `env` check, through the real CLI: validate the job's own environment
variables before a build (README: GitHub Actions step)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.unit.test_secrets_rules import r

LIVE = "sk_" + "live_" + r(24)
SESSION = r(40)


def _cli(cwd, env_extra, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STRIPE_SECRET_KEY", "SESSION_SECRET")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "launchready_tui", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _profile(tmp_path):
    (tmp_path / "launchready.yaml").write_text(
        "project: Acme\ndomain: acme.example\n"
        "environments:\n  production: {env_file: .env.production}\n  staging: {env_file: .env.staging}\n"
        "required_env: [DATABASE_URL, STRIPE_SECRET_KEY, SESSION_SECRET]\n"
    )


def test_ci_validates_process_environment(tmp_path):
    _profile(tmp_path)
    ok = {"LAUNCHREADY_ENV_FROM_PROCESS": "production", "DATABASE_URL": f"postgres://app:{r(16)}@db/app",
          "STRIPE_SECRET_KEY": LIVE, "SESSION_SECRET": SESSION}
    res = _cli(tmp_path, ok, "check", "--runbook", "deploy-path", "--step", "env-vars", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    results = [x for x in json.loads(res.stdout)["results"] if x["check"] == "env"]
    status = {x["target"]: x["status"] for x in results}
    assert status == {"production": "pass", "staging": "skip"}

    bad = dict(ok, STRIPE_SECRET_KEY="sk_" + "test_" + r(24))
    del bad["SESSION_SECRET"]
    res = _cli(tmp_path, bad, "check", "--runbook", "deploy-path", "--step", "env-vars", "--format", "junit")
    assert res.returncode == 1
    assert "SESSION_SECRET" in res.stdout and "test-mode keys in production" in res.stdout
    for v in (LIVE, SESSION, bad["STRIPE_SECRET_KEY"], bad["DATABASE_URL"]):
        assert v not in res.stdout + res.stderr


def test_missing_env_files_without_ci_override_are_errors(tmp_path):
    _profile(tmp_path)
    res = _cli(tmp_path, {}, "check", "--runbook", "deploy-path", "--step", "env-vars", "--format", "json")
    assert res.returncode == 1
    results = [x for x in json.loads(res.stdout)["results"] if x["check"] == "env"]
    assert {x["status"] for x in results} == {"error"}
    assert all(x["fix"] for x in results)
