"""latency: defaults and hard caps, history lookup, auth header, domain guard, release."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from types import SimpleNamespace

import pytest

from launchready_tui.core.checks import latency
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.registry import MissingInput


def _profile(extra: str = "", path=None):
    p = parse_profile("project: T\ndomain: acme.test\nhosts: {api: api.acme.test}\n" + extra)
    if path is not None:
        object.__setattr__(p, "path", path)
    return p


def test_defaults_are_10_per_second_for_10_seconds():
    assert latency.plan_load({}, {}) == (10.0, 10.0, [])


def test_caps_without_allow_heavy():
    rate, dur, notes = latency.plan_load({"rate": 500, "duration_s": 600}, {})
    assert (rate, dur) == (200.0, 60.0)
    assert any("200" in n and "allow_heavy" in n for n in notes)
    assert any("60 s" in n for n in notes)


def test_allow_heavy_lifts_caps_but_not_the_absolute_ceiling():
    assert latency.plan_load({"rate": 1000, "duration_s": 120, "allow_heavy": True}, {})[:2] == (1000.0, 120.0)
    rate, dur, notes = latency.plan_load({"rate": 10**6, "duration_s": 10**5, "allow_heavy": True}, {})
    assert (rate, dur) == (latency.HEAVY_MAX_RATE, latency.HEAVY_MAX_DURATION_S)
    assert notes


def test_allow_heavy_only_counts_from_the_profile_route():
    # A runbook's check params cannot lift the caps: only the profile entry can.
    rate, _, _ = latency.plan_load({"rate": 1000}, {"allow_heavy": True})
    assert rate == 200.0
    # "yes" is not true.
    assert latency.plan_load({"rate": 1000, "allow_heavy": "yes"}, {})[0] == 200.0


def test_route_values_beat_check_params():
    assert latency.plan_load({"rate": 5}, {"rate": 50, "duration_s": 2})[:2] == (5.0, 2.0)


def test_targets_need_routes():
    with pytest.raises(MissingInput) as e:
        latency.targets(_profile(), {})
    assert e.value.key == "performance.routes"
    p = _profile("performance:\n  routes:\n    - url: https://api.acme.test/a\n    - {url: https://api.acme.test/b}\n")
    assert latency.targets(p, {}) == ["https://api.acme.test/a", "https://api.acme.test/b"]


def test_previous_snapshot_skips_same_release_and_other_routes():
    hist = [
        {"type": "latency", "release": "v1", "url": "u", "method": "GET", "p95_ms": 100},
        {"type": "latency", "release": "v1", "url": "other", "method": "GET", "p95_ms": 5},
        {"type": "check", "counts": {}},
        {"type": "latency", "release": "v2", "url": "u", "method": "GET", "p95_ms": 120},
        {"type": "latency", "release": "v3", "url": "u", "method": "GET", "p95_ms": 130},
    ]
    assert latency.previous_snapshot(hist, "u", "GET", "v3")["release"] == "v2"
    assert latency.previous_snapshot(hist, "u", "GET", "v4")["release"] == "v3"
    assert latency.previous_snapshot(hist, "u", "POST", "v4") is None
    assert latency.previous_snapshot([], "u", "GET", "v1") is None


def test_authorization_value():
    assert latency.authorization_value("abc") == "Bearer abc"
    assert latency.authorization_value("Basic dXNlcjpwYXNz") == "Basic dXNlcjpwYXNz"
    assert latency.authorization_value("Bearer xyz") == "Bearer xyz"


def test_own_host_guard():
    p = _profile()
    assert latency.own_host_refusal("latency", p, "https://api.acme.test/x", "load") is None
    assert latency.own_host_refusal("latency", p, "https://deep.sub.acme.test/x", "load") is None
    r = latency.own_host_refusal("latency", p, "https://acme.test.evil.example/x", "send load to")
    assert r is not None and r.status.value == "error"
    assert "not under your domain acme.test" in r.summary
    assert r.why and r.fix


async def test_auth_headers_paths():
    class Store:
        def get_secret(self, cid):
            return {"tok": "s3cr3t-token"}.get(cid)

    # A credential is only for the profile's own hosts (issue 20): the entry's url says where.
    prof = parse_profile("project: T\ndomain: acme.test\n")
    own = "https://api.acme.test/x"
    ctx = SimpleNamespace(credentials=Store(), profile=prof)
    h, secret = await latency.auth_headers(ctx, {"auth": "tok", "url": own, "headers": {"X-A": "1"}})
    assert h == {"X-A": "1", "Authorization": "Bearer s3cr3t-token"} and secret == "s3cr3t-token"
    with pytest.raises(latency.NeedsCredential) as e:
        await latency.auth_headers(ctx, {"auth": "missing", "url": own})
    assert "launchready credentials add missing" in e.value.reason
    with pytest.raises(latency.NeedsCredential) as e:
        await latency.auth_headers(SimpleNamespace(credentials=None, profile=prof), {"auth": "tok", "url": own})
    assert "credentials not available" in e.value.reason
    assert await latency.auth_headers(SimpleNamespace(credentials=None, profile=prof), {}) == ({}, None)
    with pytest.raises(latency.CredentialRefused):
        await latency.auth_headers(ctx, {"auth": "tok", "url": "https://acme.test.evil.example/"})


async def test_get_secret_with_the_real_store_api_and_a_locked_keyring():
    class ValueStore:  # core/credentials.CredentialStore has get_value, not get_secret
        def get_value(self, cid):
            return "v-1" if cid == "a" else None

    assert await latency.get_secret(SimpleNamespace(credentials=ValueStore()), "a") == "v-1"

    class Locked(Exception):
        reason = "the keyring is locked and could not be unlocked"
        fix = "Unlock it in Passwords and Keys."

    class LockedStore:
        def get_value(self, cid):
            raise Locked()

    with pytest.raises(latency.NeedsCredential) as e:
        await latency.get_secret(SimpleNamespace(credentials=LockedStore()), "a")
    assert "locked" in e.value.reason and "Unlock it" in e.value.reason


def _ctx(profile, release=None):
    return SimpleNamespace(
        profile=profile,
        options=SimpleNamespace(release=release),
        clock=lambda: dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC),
    )


async def test_release_from_option_then_git_then_date(tmp_path):
    assert await latency.release_name(_ctx(_profile(), "v9")) == ("v9", "--release")
    # No code paths: the date.
    assert await latency.release_name(_ctx(_profile())) == ("2026-03-04", "date")
    # A code path that is not a git repository: the date.
    (tmp_path / "app").mkdir()
    p = _profile("code: {paths: [app]}\n", path=tmp_path / "launchready.yaml")
    assert (await latency.release_name(_ctx(p)))[1] == "date"
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    app = tmp_path / "app"
    for cmd in (["git", "init", "-q"], ["git", "commit", "-q", "--allow-empty", "-m", "x"],
                ["git", "tag", "v1.2.0"]):
        subprocess.run(cmd, cwd=app, env=env, check=True, capture_output=True)
    name, source = await latency.release_name(_ctx(p))
    assert name == "v1.2.0" and source.startswith("git describe")


def test_deadline_covers_duration():
    assert latency.deadline({"duration_s": 10}, 5) >= 10 + 10
    assert latency.deadline({}, 5) >= latency.HEAVY_MAX_DURATION_S
