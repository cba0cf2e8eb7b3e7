"""Fixtures for the app's Pilot and snapshot tests.

Every test runs with private user folders (HOME, XDG_*: see tests/conftest.py, and again
here for tmp_path), an in-memory keyring, a fixed clock and a fixed person, so snapshots
never depend on the machine, the date or the developer's files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from launchready_tui.core.state import StateStore

HERE = Path(__file__).resolve().parent
RUNBOOKS = HERE / "runbooks"
T0 = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)
WHO = "Ana Tester"

PROFILE = """\
project: Test Co
domain: testco.example
hosts:
  app: app.testco.example
environments:
  production:
    url: https://app.testco.example
monitor:
  - https://testco.example/
  - https://app.testco.example/health
deploy:
  rollback: echo rolling back
"""


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, t: dt.datetime = T0) -> None:
        self.t = t

    def __call__(self) -> dt.datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    """User folders inside this test's tmp_path; the in-memory test keyring; run in tmp_path."""
    home = tmp_path / "home"
    for var, sub in [("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")]:
        p = home / sub if sub else home
        p.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(p))
    monkeypatch.setenv("LAUNCHREADY_TEST_KEYRING", "1")
    import keyring

    from tests.unit.conftest_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder with the test profile; returns the profile's path."""
    d = tmp_path / "project"
    d.mkdir()
    p = d / "launchready.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    return p


def fixed_results() -> list[dict]:
    """Results as if the basics stage had run at T0 (no durations)."""
    at = T0.isoformat()
    base = {"stage": 1, "runbook": "basics", "started_at": at, "duration_ms": 0}
    return [
        {**base, "step": "site-up", "check_id": "site-answers", "check": "uptime",
         "target": "https://testco.example/", "status": "pass",
         "summary": "https://testco.example/ is up: HTTP 200 in 12 ms",
         "evidence": {"url": "https://testco.example/", "status": 200, "time_ms": 12}, "why": "", "fix": ""},
        {**base, "step": "site-up", "check_id": "site-answers", "check": "uptime",
         "target": "https://app.testco.example/health", "status": "fail",
         "summary": "https://app.testco.example/health answers with an error: HTTP 503",
         "evidence": {"url": "https://app.testco.example/health", "status": 503, "time_ms": 40},
         "why": "Customers who open this address see an error page instead of your product.",
         "fix": "Look at your hosting dashboard's logs for this URL. A 5xx means the app crashed "
                "or is down. Fix it, then re-run this check."},
    ]


def seed(profile_path: Path, *, results: bool = True, confirm: bool = False) -> StateStore:
    store = StateStore(profile_path.parent / ".launchready")
    if results:
        store.save_results(fixed_results())

    def fn(s):
        if confirm:
            s["confirmations"]["basics/site-up/owner-known"] = {"checked": True, "by": WHO, "at": T0.isoformat()}
        s["position"] = {"runbook": "basics", "step": "site-up"}

    store.update(fn)
    return store


@pytest.fixture
def make(clock):
    """Build the app exactly as the CLI does (one factory), with test runbooks and clock."""
    from launchready_tui.tui.app import make_app

    apps = []

    def build(profile_path=None, *, runbooks=(RUNBOOKS,), **kw):
        kw.setdefault("clock", clock)
        kw.setdefault("who", WHO)
        app = make_app(profile_path, list(runbooks), **kw)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.session.close()


def no_blink(app) -> None:
    """Cursor blink off and notifications cleared, for stable snapshots."""
    from textual.widgets import Input, TextArea

    for w in app.screen.query(Input):
        w.cursor_blink = False
    for w in app.screen.query(TextArea):
        w.cursor_blink = False
    app.clear_notifications()
