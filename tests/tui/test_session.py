"""The app's headless parts: the session model, the state writer, the parse cache."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from launchready_tui.core.runbook import CheckSpec, Confirm, parse_runbook
from launchready_tui.tui.session import Session, StateWriter, split_step
from tests.tui.conftest import RUNBOOKS, T0, WHO, FixedClock, seed


def test_headless_modules_do_not_import_textual():
    mods = ["launchready_tui.tui.session", "launchready_tui.tui.cache", "launchready_tui.commands.tui",
            "launchready_tui.commands.init", "launchready_tui.commands.incident",
            "launchready_tui.core.incidents"]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_writer_keeps_order_and_coalesces_pending_changes_of_one_key():
    w = StateWriter()
    gate = threading.Event()
    done: list[str] = []
    w.submit(lambda: (gate.wait(5), done.append("first")))  # holds the thread
    time.sleep(0.05)
    for i in range(50):  # typing: 50 changes of one field while the disk is busy
        w.submit(lambda i=i: done.append(f"field={i}"), key="field")
    w.submit(lambda: done.append("other"), key="other")
    gate.set()
    assert w.flush(5)
    assert done == ["first", "field=49", "other"]
    w.close()


def test_writer_reports_errors_and_goes_on():
    errors: list[str] = []
    w = StateWriter(on_error=errors.append)

    def fail():
        raise OSError(28, "No space left on device")

    w.submit(fail)
    w.submit(lambda: None)
    assert w.flush(5)
    assert errors and "No space left" in errors[0]
    w.close()


def test_session_changes_are_in_memory_at_once_and_on_disk_after_flush(project):
    s = Session(project, [RUNBOOKS], clock=FixedClock(), who=WHO).load()
    rb = s.runbook("basics")
    st = rb.step("map")
    s.set_record(rb, st, "the-map", "dns_host", "Cloudflare")
    s.set_note(rb, st, "ask Bo")
    s.set_step_done(rb, st, True)
    entry = s.set_confirm(rb, rb.steps[0], "owner-known", True)
    assert entry == {"checked": True, "by": WHO, "at": T0.isoformat()}
    assert s.record_value(rb, st, "the-map", "dns_host") == "Cloudflare" and s.progress(rb) == (1, 4)
    s.writer.flush()
    disk = s.store.load()
    assert disk["records"]["basics/map/the-map"]["dns_host"]["value"] == "Cloudflare"
    assert disk["notes"]["basics/map"]["text"] == "ask Bo"
    assert disk["confirmations"]["basics/site-up/owner-known"] == entry  # same who and when as shown
    s.close()


def test_session_reports_problems_and_keeps_good_runbooks(project, tmp_path):
    rbs = tmp_path / "rbs"
    rbs.mkdir()
    (rbs / "good.md").write_text((RUNBOOKS / "stage-2-later.md").read_text())
    (rbs / "bad.md").write_text("no front matter\n")
    s = Session(project, [rbs]).load()
    assert [rb.id for rb in s.runbooks] == ["later"]
    assert any("bad.md" in p.file and p.line == 1 for p in s.problems)
    s.close()


def test_worst_status_and_results(project):
    seed(project)
    s = Session(project, [RUNBOOKS]).load()
    assert s.worst(s.runbook("basics")) == "fail"
    assert s.worst(s.runbook("later")) is None
    s.close()


def test_split_step_interleaves_markdown_and_blocks():
    rb = parse_runbook((RUNBOOKS / "stage-1-basics.md").read_text(), RUNBOOKS / "stage-1-basics.md")
    parts = split_step(rb.step("site-up"))
    kinds = [type(p).__name__ if not isinstance(p, str) else "md" for p in parts]
    assert kinds == ["md", "CheckSpec", "Confirm"]
    assert isinstance(parts[1], CheckSpec) and isinstance(parts[2], Confirm)
    assert "```" not in parts[0]


def test_parse_cache_returns_the_same_runbooks_and_sees_edits(tmp_path, monkeypatch):
    from launchready_tui.tui import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rbs = tmp_path / "rbs"
    rbs.mkdir()
    src = (RUNBOOKS / "stage-2-later.md").read_text()
    (rbs / "later.md").write_text(src)
    first, _ = cache.load_runbooks([rbs])
    assert list((tmp_path / "cache" / "launchready" / "parsed").glob("runbook-*.pickle"))
    again, _ = cache.load_runbooks([rbs])
    assert again[0].title == first[0].title and again[0].steps[0].blocks == first[0].steps[0].blocks
    (rbs / "later.md").write_text(src.replace("I read it.", "I read it twice."))
    edited, _ = cache.load_runbooks([rbs])
    assert edited[0].steps[0].blocks[0].text == "I read it twice."
    (rbs / "later.md").write_text("broken\n")
    broken, errors = cache.load_runbooks([rbs])
    assert broken == [] and errors  # problems are never cached away
