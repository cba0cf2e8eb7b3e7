"""rate_limit against a limited, an unlimited and an X-Forwarded-For-bypassable login;
the hard cap and the domain guard; smoke entries with status and text."""

from __future__ import annotations

import pytest

from launchready_tui.core.checks import rate_limit, smoke
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.net import Net
from launchready_tui.core.profile import load_profile, net_config
from launchready_tui.core.state import StateStore
from launchready_tui.lab import Lab, Rule, Site, World
from launchready_tui.lab import web as labweb
from launchready_tui.lab.demo_perf import LoginLimiter

pytestmark = pytest.mark.integration
D = "perf.test"
API = f"api.{D}"


@pytest.fixture(autouse=True)
def _nodelay(monkeypatch):
    monkeypatch.setattr(labweb._Handler, "disable_nagle_algorithm", True)


def make_lab(tmp_path, paths, profile_extra) -> Lab:
    prof = {"project": "T", "domain": D, "hosts": {"api": API}, **profile_extra}
    w = World(records=[(D, "A", "127.0.0.1"), (API, "A", "127.0.0.1")],
              sites={API: Site(paths=paths)}, profile=prof)
    return Lab(w, tmp_path / "lab")


def context(lab: Lab) -> CheckContext:
    prof = load_profile(lab.profile_path)
    return CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir), options=RunOptions())


async def test_limited_unlimited_and_bypassed(tmp_path):
    limited = LoginLimiter(limit=5, key="ip")
    unlimited = LoginLimiter(limit=None)
    bypassable = LoginLimiter(limit=3, key="xff")
    forbidden = LoginLimiter(limit=4, status=403)  # 403 with Retry-After counts as a limit
    entries = [
        {"name": "Login", "url": f"https://{API}/login", "method": "POST"},
        {"name": "Invite", "url": f"https://{API}/invite", "max_attempts": 12},
        {"name": "Reset", "url": f"https://{API}/reset"},
        {"name": "Admin login", "url": f"https://{API}/admin-login"},
    ]
    paths = {"/login": Rule(handler=limited), "/invite": Rule(handler=unlimited),
             "/reset": Rule(handler=bypassable), "/admin-login": Rule(handler=forbidden)}
    with make_lab(tmp_path, paths, {"rate_limit": entries}) as lab:
        ctx = context(lab)
        assert rate_limit.targets(ctx.profile, {}) == [e["url"] for e in entries]
        ok = await rate_limit.check(ctx, entries[0]["url"], {})
        none = await rate_limit.check(ctx, entries[1]["url"], {})
        bypass = await rate_limit.check(ctx, entries[2]["url"], {})
        forb = await rate_limit.check(ctx, entries[3]["url"], {})

    assert ok.status.value == "pass", ok.summary
    assert ok.evidence["limited_at"] == 6 and ok.evidence["limit_status"] == 429
    assert ok.evidence["retry_after"]
    assert ok.evidence["bypass_probe"]["bypassed"] is False
    assert ok.evidence["bypass_probe"]["x_forwarded_for"].startswith("203.0.113.")
    assert "attempt 6 got HTTP 429" in ok.summary
    assert limited.attempts == 7  # 6 in the burst, 1 bypass probe

    assert none.status.value == "fail" and "no rate limit" in none.summary
    assert none.evidence["attempts"] == 12 and unlimited.attempts == 12
    assert none.evidence["statuses"] == "401 x12"
    assert none.why and none.fix

    assert bypass.status.value == "warn", bypass.summary
    assert "bypassed" in bypass.summary and bypass.evidence["bypass_probe"]["bypassed"] is True
    assert "trust proxy" in bypass.fix

    assert forb.status.value == "pass" and forb.evidence["limit_status"] == 403


async def test_hard_cap_and_domain_guard(tmp_path):
    unlimited = LoginLimiter(limit=None)
    entries = [{"url": f"https://{API}/invite", "max_attempts": 1000},
               {"url": "https://login.someone-else.example/login"},
               {"url": f"https://{D}.attacker.example/login"}]
    with make_lab(tmp_path, {"/invite": Rule(handler=unlimited)}, {"rate_limit": entries}) as lab:
        ctx = context(lab)
        capped = await rate_limit.check(ctx, entries[0]["url"], {})
        other = await rate_limit.check(ctx, entries[1]["url"], {})
        lookalike = await rate_limit.check(ctx, entries[2]["url"], {})
        hits = dict(lab.web.hits)
    assert unlimited.attempts == 100
    assert capped.status.value == "fail" and capped.evidence["attempts"] == 100
    assert "capped at 100" in capped.evidence["capped"]
    for r in (other, lookalike):
        assert r.status.value == "error" and "not under your domain perf.test" in r.summary
        assert r.evidence["refused"] is True
    assert set(hits) == {API}


async def test_wrong_endpoint_and_unreachable_are_errors(tmp_path):
    entries = [{"url": f"https://{API}/nope"}, {"url": f"https://gone.{D}/login"}]
    paths = {"/nope": Rule(status=404, body="not found")}
    with make_lab(tmp_path, paths, {"rate_limit": entries}) as lab:
        ctx = context(lab)
        wrong = await rate_limit.check(ctx, entries[0]["url"], {})
        gone = await rate_limit.check(ctx, entries[1]["url"], {})
    assert wrong.status.value == "error" and "HTTP 404" in wrong.summary
    assert gone.status.value == "error"


def test_attempts_defaults_and_cap():
    assert rate_limit.attempts_for({}, {}) == (20, None)
    assert rate_limit.attempts_for({"max_attempts": 7}, {}) == (7, None)
    assert rate_limit.attempts_for({"max_attempts": 101}, {})[0] == 100
    assert rate_limit.attempts_for({"max_attempts": 0}, {}) == (20, None)
    assert rate_limit.is_limited(429, None) and rate_limit.is_limited(403, "30")
    assert not rate_limit.is_limited(403, None) and not rate_limit.is_limited(401, "5")


async def test_smoke_entries(tmp_path):
    smoke_entries = [
        f"https://{API}/health",
        {"url": f"https://{API}/health", "status": 200, "contains": "all good"},
        {"url": f"https://{API}/health", "contains": "version 2"},
        {"url": f"https://{API}/old", "status": 200},
        f"https://{API}/broken",
        f"https://down.{D}/",
    ]
    paths = {"/health": Rule(body="all good, version 1", content_type="text/plain"),
             "/old": Rule(status=301, redirect=f"https://{API}/health"),
             "/broken": Rule(status=502, body="bad gateway")}
    with make_lab(tmp_path, paths, {"deploy": {"smoke": smoke_entries}}) as lab:
        ctx = context(lab)
        assert smoke.targets(ctx.profile, {})[0] == f"https://{API}/health"
        res = [await smoke.run_smoke(ctx, smoke.normalize(e)) for e in smoke_entries]
    st = [r.status.value for r in res]
    assert st == ["pass", "pass", "fail", "fail", "fail", "fail"], [r.summary for r in res]
    assert "'version 2' is not on the page" in res[2].summary
    assert "expected 200" in res[3].summary and "redirects to" in res[3].fix
    assert "HTTP 502" in res[4].summary
    assert all(r.why and r.fix for r in res[2:])
