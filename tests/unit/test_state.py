import json
import multiprocessing
import os
import signal
import time

import pytest

from launchready_tui.core.state import StateError, StateStore, atomic_write


def test_roundtrip_and_readable(tmp_path):
    s = StateStore(tmp_path / ".launchready")
    s.set_confirm("rb", "step", "c1", True, "Ada")
    s.set_record("rb", "step", "r1", "owner", "Grace", "Ada")
    s.set_note("rb", "step", "remember the DNS TTL")
    s.set_position("rb", "step")
    data = json.loads((tmp_path / ".launchready/state.json").read_text())
    assert data["confirmations"]["rb/step/c1"]["by"] == "Ada"
    assert data["records"]["rb/step/r1"]["owner"]["value"] == "Grace"
    assert data["notes"]["rb/step"]["text"] == "remember the DNS TTL"
    assert s.find_record_value("owner") == "Grace"
    s.set_confirm("rb", "step", "c1", False, "Ada")
    assert "rb/step/c1" not in s.load()["confirmations"]


def test_older_result_never_overwrites_newer(tmp_path):
    s = StateStore(tmp_path)
    new = {"runbook": "r", "step": "s", "check": "dns", "target": "a", "status": "pass", "started_at": "2026-01-02T00:00:00"}
    old = dict(new, status="fail", started_at="2026-01-01T00:00:00")
    s.save_results([new])
    s.save_results([old])
    assert list(s.load()["results"].values())[0]["status"] == "pass"


def _writer(path, n, tag):
    s = StateStore(path)
    for i in range(n):
        s.set_note("rb", f"{tag}-{i}", f"note {i}")


def test_two_instances_do_not_lose_writes(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(tmp_path, 40, t)) for t in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    notes = StateStore(tmp_path).load()["notes"]
    assert len(notes) == 80


def _hammer(path):
    s = StateStore(path)
    i = 0
    while True:
        s.set_note("rb", "step", "x" * (i % 5000))
        i += 1


def test_kill_at_any_moment_leaves_last_good_state(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for _ in range(5):
        p = ctx.Process(target=_hammer, args=(tmp_path,))
        p.start()
        time.sleep(0.15)
        os.kill(p.pid, signal.SIGKILL)
        p.join()
        data = json.loads((tmp_path / "state.json").read_text())  # always parses
        assert "notes" in data


def test_damaged_state_is_a_clear_error(tmp_path):
    (tmp_path / "state.json").write_text('{"notes": {\n  "a": 1,\n}\n')
    with pytest.raises(StateError) as e:
        StateStore(tmp_path).load()
    assert e.value.problems[0].line == 3


def test_history_is_append_only_and_survives_torn_line(tmp_path):
    s = StateStore(tmp_path)
    s.append_history({"type": "check", "n": 1})
    s.append_history({"type": "check", "n": 2})
    with open(tmp_path / "history.jsonl", "a") as f:
        f.write('{"type": "ch')  # a crash mid-line
    assert [h["n"] for h in s.read_history()] == [1, 2]


def test_atomic_write_leaves_no_temp_files(tmp_path):
    atomic_write(tmp_path / "x.json", b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
