"""One recorder for the CLI and the app: results by one key type, run and command history,
and the snapshots checks return in their evidence moved into the history once."""

from __future__ import annotations

from launchready_tui.core.recorder import Recorder, ResultKey, is_rollback, take_snapshot
from launchready_tui.core.results import passed
from launchready_tui.core.state import StateStore, result_key


def _result(target="https://a.example/x", snap=None):
    ev = {"p95_ms": 10.0}
    if snap is not None:
        ev["snapshot"] = snap
    r = passed("latency", target, "fast", evidence=ev)
    r.runbook, r.step, r.check_id, r.started_at = "rb", "st", "p95", "2026-01-01T00:00:00+00:00"
    return r


def test_result_key_is_one_type_with_one_spelling():
    r = _result()
    key = ResultKey.of(r)
    assert key == ResultKey("rb", "st", "p95", "https://a.example/x")
    assert str(key) == r.key == result_key(r.to_dict()) == "rb/st/p95@https://a.example/x"
    assert ResultKey.of({"check": "dns", "target": "a"}) == ResultKey("", "", "dns", "a")


def test_snapshots_leave_the_evidence_for_the_history_once(tmp_path):
    store = StateStore(tmp_path / ".launchready")
    snap = {"type": "latency", "url": "https://a.example/x", "p95_ms": 10.0}
    a, b = _result(snap=snap), _result(target="x2", snap=snap)  # one measurement, two results
    Recorder(store, "cli").results([a, b])
    assert "snapshot" not in a.evidence and "snapshot" not in b.evidence
    assert [h for h in store.read_history() if h["type"] == "latency"] == [snap]
    saved = store.load()["results"]
    assert set(saved) == {a.key, b.key} and all("snapshot" not in v["evidence"] for v in saved.values())


def test_run_and_command_entries(tmp_path):
    store = StateStore(tmp_path / ".launchready")
    r = _result()
    Recorder(store, "cli").run([r], scope={"stage": None}, problems=[])
    Recorder(store, "tui").run([r], scope={"runbook": "rb"}, problems=[])
    Recorder(store, "tui").command(at="t", runbook="rb", step="st", block="b", command="make deploy",
                                   exit_code=0, duration_s=1.26, status="pass")
    cli, tui, cmd = store.read_history()
    assert cli["type"] == tui["type"] == "check" and "source" not in cli and tui["source"] == "tui"
    assert cli["counts"]["pass"] == 1 and cli["counts"]["problems"] == 0
    assert cmd == {"type": "command", "at": "t", "runbook": "rb", "step": "st", "block": "b",
                   "command": "make deploy", "exit_code": 0, "duration_s": 1.3, "status": "pass",
                   "source": "tui"}


def test_take_snapshot_only_takes_a_mapping():
    assert take_snapshot(_result()) is None
    d = {"evidence": {"snapshot": {"type": "latency"}}}
    assert take_snapshot(d) == {"type": "latency"} and d == {"evidence": {}}


def test_is_rollback_is_decided_in_one_place():
    class P:
        def get(self, key):
            return "vercel rollback --yes" if key == "deploy.rollback" else None

    assert is_rollback(run="{{ deploy.rollback }}")
    assert is_rollback(run="vercel rollback --yes", profile=P())
    assert not is_rollback(run="make deploy", profile=P())
    assert is_rollback(block_id="rollback-drill") and is_rollback(step="Rollback")
    assert is_rollback(command="./scripts/rollback.sh") and not is_rollback(command="./deploy.sh")
