"""The incident timeline model (core/incidents.py): headless, persisted, note saved."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from launchready_tui.core import incidents
from launchready_tui.core.incidents import IncidentLog
from launchready_tui.core.state import StateStore

T0 = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> dt.datetime:
        return self.t

    def tick(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)


def test_start_add_end_and_note(tmp_path):
    store = StateStore(tmp_path / ".launchready")
    clock = FakeClock()
    log = IncidentLog.start(store, "deploy-failure", title="Deploy failure", who="ana", clock=clock)
    assert log.id == "deploy-failure-20261128-120000"
    clock.tick(30)
    log.step("stop-the-bleeding", "Stop the bleeding", who="ana")
    clock.tick(30)
    log.check({"status": "fail", "summary": "app is down", "check_id": "smoke", "target": "https://x"})
    log.command("./rollback.sh", exit_code=0, duration_s=42.4)
    log.note("Customers saw 500s")
    log.set_field("impact", "checkout down")
    inc = store.load()["incidents"][log.id]
    types = [e["type"] for e in inc["events"]]
    assert types == ["decision", "step", "check", "command", "note"]
    assert inc["events"][2]["text"].startswith("✗ FAIL: app is down")
    assert inc["events"][3]["exit_code"] == 0
    assert inc["fields"] == {"impact": "checkout down"}
    assert incidents.elapsed_s(inc, clock()) == 60
    assert incidents.budget_left_s(inc, clock()) == 540
    assert incidents.format_clock(incidents.budget_left_s(inc, clock())) == "09:00"
    clock.tick(600)
    assert incidents.format_clock(incidents.budget_left_s(inc, clock())) == "-01:00"
    path = log.end(who="ana")
    assert path == tmp_path / ".launchready" / "incidents" / f"{log.id}.md"
    text = path.read_text()
    assert "Customers saw 500s" in text and "Incident closed" in text
    inc = store.load()["incidents"][log.id]
    assert inc["ended_at"] and inc["note_path"] == str(path)
    # ending twice does not add a second "closed" event
    log.end()
    assert sum(e["text"] == "Incident closed" for e in store.load()["incidents"][log.id]["events"]) == 1


def test_start_resumes_open_incident_and_find(tmp_path):
    store = StateStore(tmp_path / "s")
    a = IncidentLog.start(store, "site-down", clock=FakeClock())
    b = IncidentLog.start(store, "site-down", clock=FakeClock())
    assert a.id == b.id
    state = store.load()
    assert incidents.find_incident(state, "site-down")["id"] == a.id
    assert incidents.find_incident(state, a.id)["id"] == a.id
    assert incidents.find_incident(state, "nope") is None
    a.end(save_note=False)
    c = IncidentLog.start(store, "site-down", clock=FakeClock())
    assert c.id != a.id  # same second: a suffix keeps ids unique


def test_unknown_event_type_rejected(tmp_path):
    import pytest

    log = IncidentLog.start(StateStore(tmp_path), "x", clock=FakeClock())
    with pytest.raises(ValueError):
        log.add("party", "no")


def test_incidents_module_does_not_import_textual():
    code = "import sys, launchready_tui.core.incidents; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
