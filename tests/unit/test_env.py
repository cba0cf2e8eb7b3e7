"""The `env` check: per environment and across environments; names only, never values."""

from __future__ import annotations

import asyncio
import json

import pytest

from launchready_tui.core.checks import env
from launchready_tui.core.context import CheckContext
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.registry import MissingInput
from tests.unit.test_secrets_rules import r

LIVE = "sk_" + "live_" + r(24)
TEST = "sk_" + "test_" + r(24)
SESSION = r(40)
DB = "postgres://app:" + r(16) + "@db.internal:5432/app"
ALL_VALUES = (LIVE, TEST, SESSION, DB)


def profile(tmp_path, envs=None, required=("DATABASE_URL", "STRIPE_SECRET_KEY", "SESSION_SECRET")):
    envs = envs or {"production": "{env_file: .env.production}", "staging": "{env_file: .env.staging}"}
    lines = ["project: Acme", "domain: acme.example", "environments:"]
    lines += [f"  {k}: {v}" for k, v in envs.items()]
    if required is not None:
        lines.append(f"required_env: [{', '.join(required)}]")
    text = "\n".join(lines) + "\n"
    p = tmp_path / "launchready.yaml"
    p.write_text(text)
    return parse_profile(text, str(p))


def write(tmp_path, name, **values):
    (tmp_path / name).write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def run(p, target, params=None, environ=None):
    return env.run(p, target, params or {}, environ=environ if environ is not None else {})


def assert_no_values(result):
    blob = json.dumps(result.to_dict())
    for v in ALL_VALUES:
        assert v not in blob


def good_prod(tmp_path):
    write(tmp_path, ".env.production", DATABASE_URL=DB, STRIPE_SECRET_KEY=LIVE, SESSION_SECRET=SESSION, NODE_ENV="production")


def good_staging(tmp_path):
    write(
        tmp_path, ".env.staging",
        DATABASE_URL="postgres://app:" + r(16) + "@staging-db:5432/app",
        STRIPE_SECRET_KEY=TEST,
        SESSION_SECRET=r(40),
    )


def test_all_good(tmp_path):
    good_prod(tmp_path)
    good_staging(tmp_path)
    p = profile(tmp_path)
    assert env.targets(p, {}) == ["production", "staging"]
    for t in ("production", "staging"):
        res = run(p, t)
        assert res.status.value == "pass", res.summary
        assert_no_values(res)
    assert run(p, "production").evidence["present"] == ["DATABASE_URL", "NODE_ENV", "SESSION_SECRET", "STRIPE_SECRET_KEY"]


def test_missing_empty_and_placeholder(tmp_path):
    (tmp_path / ".env.production").write_text("DATABASE_URL=\nSESSION_SECRET=changeme\nOTHER=your-key-here\n")
    good_staging(tmp_path)
    res = run(profile(tmp_path), "production")
    assert res.status.value == "fail"
    ev = res.evidence
    assert ev["missing"] == ["STRIPE_SECRET_KEY"] and ev["empty"] == ["DATABASE_URL"]
    assert ev["placeholder"] == ["OTHER", "SESSION_SECRET"]
    assert "STRIPE_SECRET_KEY" in res.fix and res.why


def test_test_keys_in_production_fail(tmp_path):
    write(tmp_path, ".env.production", DATABASE_URL=DB, STRIPE_SECRET_KEY=TEST, SESSION_SECRET=SESSION)
    good_staging(tmp_path)
    (tmp_path / ".env.staging").write_text((tmp_path / ".env.staging").read_text().replace(TEST, "sk_" + "test_" + r(24)))
    res = run(profile(tmp_path), "production")
    assert res.status.value == "fail" and res.evidence["test_keys"] == ["STRIPE_SECRET_KEY"]
    assert "test-mode keys in production" in res.summary
    assert_no_values(res)


def test_live_keys_outside_production_warn(tmp_path):
    good_prod(tmp_path)
    write(tmp_path, ".env.staging", DATABASE_URL="postgres://localhost/app", STRIPE_SECRET_KEY="sk_" + "live_" + r(24), SESSION_SECRET=r(40))
    res = run(profile(tmp_path), "staging")
    assert res.status.value == "warn" and res.evidence["live_keys"] == ["STRIPE_SECRET_KEY"]


def test_debug_in_production_warns(tmp_path):
    write(tmp_path, ".env.production", DATABASE_URL=DB, STRIPE_SECRET_KEY=LIVE, SESSION_SECRET=SESSION, DEBUG="True", NODE_ENV="development")
    good_staging(tmp_path)
    res = run(profile(tmp_path), "production")
    assert res.status.value == "warn"
    assert res.evidence["debug_settings"] == ["DEBUG=True", "NODE_ENV=development"]


def test_shared_secret_between_production_and_staging(tmp_path):
    good_prod(tmp_path)
    write(tmp_path, ".env.staging", DATABASE_URL="postgres://localhost/app", STRIPE_SECRET_KEY=TEST, SESSION_SECRET=r(40), JWT_SIGNING=SESSION)
    p = profile(tmp_path)
    prod = run(p, "production")
    assert prod.status.value == "fail"
    assert prod.evidence["shared_values"] == [{"name": "SESSION_SECRET", "environment": "staging", "other_name": "JWT_SIGNING"}]
    stg = run(p, "staging")
    assert stg.status.value == "fail"
    assert stg.evidence["shared_values"] == [{"name": "JWT_SIGNING", "environment": "production", "other_name": "SESSION_SECRET"}]
    assert_no_values(prod)
    assert_no_values(stg)


def test_shared_non_secret_settings_are_fine(tmp_path):
    good_prod(tmp_path)
    good_staging(tmp_path)
    with open(tmp_path / ".env.production", "a") as f:
        f.write("AUTH_MODE=passwordless\nAPP_NAME=Acme Creators\n")
    with open(tmp_path / ".env.staging", "a") as f:
        f.write("AUTH_MODE=passwordless\nAPP_NAME=Acme Creators\n")
    assert run(profile(tmp_path), "production").status.value == "pass"


def test_non_production_pairs_are_not_compared(tmp_path):
    good_prod(tmp_path)
    shared = r(40)
    write(tmp_path, ".env.staging", DATABASE_URL=DB.replace("db.internal", "s"), STRIPE_SECRET_KEY=TEST, SESSION_SECRET=shared)
    write(tmp_path, ".env.dev", DATABASE_URL="postgres://localhost/x", STRIPE_SECRET_KEY=TEST, SESSION_SECRET=shared)
    p = profile(tmp_path, {"production": "{env_file: .env.production}", "staging": "{env_file: .env.staging}", "dev": "{env_file: .env.dev}"})
    assert run(p, "staging").evidence["shared_values"] == []


def test_browser_exposed_secret(tmp_path):
    good_prod(tmp_path)
    good_staging(tmp_path)
    with open(tmp_path / ".env.production", "a") as f:
        f.write(f"NEXT_PUBLIC_STRIPE_SECRET_KEY={LIVE}\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_{r(24)}\n")
    res = run(profile(tmp_path), "production")
    assert res.status.value == "fail"
    assert res.evidence["browser_exposed_secrets"] == ["NEXT_PUBLIC_STRIPE_SECRET_KEY"]


def test_syntax_error_names_the_line(tmp_path):
    (tmp_path / ".env.production").write_text(f"DATABASE_URL={DB}\nSTRIPE_SECRET_KEY=\"{LIVE}\nSESSION_SECRET={SESSION}\nthis is not valid\n")
    good_staging(tmp_path)
    res = run(profile(tmp_path), "production")
    assert res.status.value == "fail"
    assert res.evidence["syntax_error_lines"] == [2, 4]
    assert "line 2, 4" in res.summary
    assert_no_values(res)


def test_non_utf8_file_is_error_with_line(tmp_path):
    (tmp_path / ".env.production").write_bytes(b"A=1\nB=caf\xe9\n")
    good_staging(tmp_path)
    res = run(profile(tmp_path), "production")
    assert res.status.value == "error" and "line 2" in res.summary and "UTF-8" in res.fix


def test_missing_file_is_error_and_other_envs_say_not_compared(tmp_path):
    good_prod(tmp_path)
    p = profile(tmp_path)
    res = run(p, "staging")
    assert res.status.value == "error" and ".env.staging does not exist" in res.summary
    prod = run(p, "production")
    assert prod.status.value == "pass"
    assert prod.evidence["not_compared"] == ["staging: .env.staging does not exist"]


def test_unreadable_env_file(tmp_path, monkeypatch):
    good_prod(tmp_path)
    (tmp_path / ".env.staging").mkdir()
    res = run(profile(tmp_path), "staging")
    assert res.status.value == "error" and "folder" in res.summary


def test_source_process(tmp_path):
    p = profile(tmp_path, {"production": "{source: process}"}, required=("DATABASE_URL", "SESSION_SECRET"))
    res = run(p, "production", environ={"DATABASE_URL": DB, "SESSION_SECRET": SESSION, "HOME": "/root", "PATH": "/bin"})
    assert res.status.value == "pass"
    assert res.evidence["source"] == "process" and res.evidence["present"] == ["DATABASE_URL", "SESSION_SECRET"]
    res = run(p, "production", environ={"DATABASE_URL": DB, "HOME": "/root"})
    assert res.status.value == "fail" and res.evidence["missing"] == ["SESSION_SECRET"]


def test_ci_override_reads_process_and_skips_absent_files(tmp_path):
    p = profile(tmp_path)  # both environments point at files; none exists in CI
    environ = {env.PROCESS_OVERRIDE: "production", "DATABASE_URL": DB, "STRIPE_SECRET_KEY": LIVE, "SESSION_SECRET": SESSION}
    prod = run(p, "production", environ=environ)
    assert prod.status.value == "pass" and prod.evidence["source"] == "process"
    stg = run(p, "staging", environ=environ)
    assert stg.status.value == "skip" and "process environment" in stg.summary


def test_interpolation_within_the_file(tmp_path):
    (tmp_path / ".env.production").write_text(
        f"PASS={r(16)}\nDATABASE_URL=postgres://app:${{PASS}}@db/app\nSTRIPE_SECRET_KEY={LIVE}\nSESSION_SECRET={SESSION}\n"
    )
    values, lines, errors = env.parse_env_text((tmp_path / ".env.production").read_text())
    assert "${PASS}" not in values["DATABASE_URL"] and lines["DATABASE_URL"] == 2 and errors == []


def test_targets(tmp_path):
    p = profile(tmp_path)
    assert env.targets(p, {"environment": "staging"}) == ["staging"]
    bare = parse_profile("project: A\ndomain: a.example\n", str(tmp_path / "x.yaml"))
    with pytest.raises(MissingInput) as e:
        env.targets(bare, {})
    assert e.value.key == "environments"


def test_no_required_env_still_checks_the_rest(tmp_path):
    good_prod(tmp_path)
    good_staging(tmp_path)
    res = run(profile(tmp_path, required=None), "production")
    assert res.status.value == "pass" and "no required_env" in res.summary


def test_explicit_production_flag(tmp_path):
    write(tmp_path, ".env.main", DATABASE_URL=DB, STRIPE_SECRET_KEY=TEST, SESSION_SECRET=SESSION)
    good_staging(tmp_path)
    p = profile(tmp_path, {"main": "{env_file: .env.main, production: true}", "staging": "{env_file: .env.staging}"})
    assert run(p, "main").evidence["test_keys"] == ["STRIPE_SECRET_KEY"]
    assert run(p, "main").status.value == "fail"


def test_check_is_async_and_uses_profile(tmp_path, monkeypatch):
    good_prod(tmp_path)
    good_staging(tmp_path)
    monkeypatch.delenv(env.PROCESS_OVERRIDE, raising=False)
    ctx = CheckContext(profile=profile(tmp_path), net=None)
    res = asyncio.run(env.check(ctx, "production", {}))
    assert res.status.value == "pass"


def test_envsource_repr_hides_values(tmp_path):
    good_prod(tmp_path)
    p = profile(tmp_path)
    src = env.load_environment(p, "production", env.environments(p)["production"], environ={})
    assert SESSION not in repr(src) and LIVE not in repr(src)
