"""Pilot tests of runbook commands run from the app and of the incident note it writes:
a secret the project keeps in the keyring never reaches the screen, `.launchready/`, the
handover or the note, in any form (plain, URL-encoded, base64, cut across reads)."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from textual.widgets import Input

from launchready_tui.core.credentials import Credential, CredentialStore
from launchready_tui.core.profile import load_profile
from launchready_tui.core.state import StateStore
from tests.tui.conftest import PROFILE, RUNBOOKS

SIZE = (120, 40)
SECRET = "sk_live/PLANTED+9f8e=7d6c5b4a"
FORMS = (SECRET, quote(SECRET, safe=""), base64.b64encode(SECRET.encode()).decode(), "PLANTED")

CMD_RUNBOOK = """\
---
id: cmds
title: "Stage 1: Commands"
stage: 1
goal: Run things.
summary: Commands that print, roll back and hang.
---

# Stage 1: Commands

## Who am I {#leak}

```command
id: whoami
label: Show the deploy token
run: sh leak.sh
timeout_s: 20
```

## Roll back {#roll}

```command
id: rollback
run: "{{deploy.rollback}}"
timeout_s: 20
```

## Hangs {#hang}

```command
id: hang
run: sleep 60 & echo $! > child.pid; wait
timeout_s: 1
```
"""

# Prints the token as a CLI's `whoami` might: plainly, URL-encoded, base64, and in two
# writes with a pause between them (two reads on our side).
LEAK_SH = """\
printf 'token: '; cat plain.txt; echo
printf 'url: '; cat url.txt; echo
printf 'b64: '; cat b64.txt; echo
head -c 12 plain.txt; sleep 0.3; tail -c +13 plain.txt; echo
echo done
"""


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def plant_secret(profile_path: Path) -> None:
    """A credential whose value is in the (test) keyring, as `launchready credentials add` does."""
    store = CredentialStore.for_profile(load_profile(profile_path))
    store.add(Credential("stripe-live", label="Stripe live key"), SECRET)


def files_with_secret(folder: Path) -> list[str]:
    hits = []
    for p in folder.rglob("*"):
        if p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            hits += [f"{p.name}: {f}" for f in FORMS if f in text]
    return hits


@pytest.fixture
def cmd_project(tmp_path) -> tuple[Path, Path]:
    d = tmp_path / "cmdproj"
    d.mkdir()
    profile = d / "launchready.yaml"
    profile.write_text(PROFILE.replace("rollback: echo rolling back",
                                       "rollback: sleep 0.3; echo rolling back\n  rollback_budget_min: 0.001"),
                       encoding="utf-8")
    (d / "leak.sh").write_text(LEAK_SH, encoding="utf-8")
    (d / "plain.txt").write_text(SECRET, encoding="utf-8")
    (d / "url.txt").write_text(quote(SECRET, safe=""), encoding="utf-8")
    (d / "b64.txt").write_text(base64.b64encode(SECRET.encode()).decode(), encoding="utf-8")
    books = tmp_path / "cmdbooks"
    books.mkdir()
    (books / "stage-1-cmds.md").write_text(CMD_RUNBOOK, encoding="utf-8")
    plant_secret(profile)
    return profile, books


async def run_block(app, pilot, step: str, block_id: str) -> list[str]:
    """Go to the step, press the block's Run…, confirm with y; returns the output lines."""
    main = app.main
    rb = app.session.runbook("cmds")
    main.show_step(rb, rb.step(step))
    await pilot.pause()
    main.view.command_block(block_id).query_one("#run-command").press()
    await pilot.pause()
    assert type(app.screen).__name__ == "ConfirmCommandScreen"
    await pilot.press("y")
    await settle(app, pilot)
    log = main.view.command_block(block_id).query_one("Log")
    return [str(line) for line in log.lines]


async def test_command_output_never_shows_a_keyring_secret(make, cmd_project):
    profile, books = cmd_project
    app = make(profile, runbooks=[books])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = await run_block(app, pilot, "leak", "whoami")
        text = "\n".join(lines)
        assert "token: [redacted:stripe-live]" in text
        assert "url: [redacted:stripe-live]" in text
        assert "b64: [redacted:stripe-live]" in text
        assert "[redacted:stripe-live]\ndone" in text  # cut across two reads, still hidden
        assert not [f for f in FORMS if f in text], text
        assert "✓ finished OK" in lines[-1]
        screen = app.export_screenshot()
        assert "redacted:stripe-live" in screen and "PLANTED" not in screen
        # recorded like any check result: detail panel, state, handover
        detail = str(app.main.query_one("#detail-body").render())
        assert "finished with exit status 0" in detail and "PLANTED" not in detail
        app.session.writer.flush()
        state = StateStore(profile.parent / ".launchready").load()
        r = state["results"]["cmds/leak/whoami@block:whoami"]
        assert r["check"] == "command" and r["status"] == "pass" and r["stage"] == 1
        assert "token: [redacted:stripe-live]" in r["evidence"]["output_tail"]
        await pilot.press("e")  # asks Markdown or HTML; m = Markdown
        await pilot.pause()
        await pilot.press("m")
        await settle(app, pilot)
        handover = next(profile.parent.glob("handover-*.md")).read_text()
        assert "Show the deploy token" in handover and "finished with exit status 0" in handover
        app.session.writer.flush()
        assert files_with_secret(profile.parent / ".launchready") == []
        assert not [f for f in FORMS if f in handover]


async def test_rollback_command_is_judged_against_the_budget(make, cmd_project):
    profile, books = cmd_project
    app = make(profile, runbooks=[books])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = await run_block(app, pilot, "roll", "rollback")
        assert "rolling back" in lines
        assert "over the 0.001-minute budget" in lines[-1], lines
        r = app.session.result("cmds/roll/rollback@block:rollback")
        assert r.status.value == "fail" and r.evidence["budget_min"] == 0.001
        assert r.fix and r.why


async def test_command_timeout_stops_its_whole_process_group(make, cmd_project):
    profile, books = cmd_project
    app = make(profile, runbooks=[books])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = await run_block(app, pilot, "hang", "hang")
        assert "✗ stopped: it ran longer than 1 s" in lines[-1]
        r = app.session.result("cmds/hang/hang@block:hang")
        assert r.status.value == "fail" and r.evidence["timed_out"] is True
    pid = int((profile.parent / "child.pid").read_text())
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return  # gone
    assert stat.split(") ", 1)[1][0] == "Z", stat  # killed, only waiting to be reaped


@pytest.mark.parametrize("path", ["export", "plain fallback"])
async def test_incident_note_never_contains_a_planted_secret(make, project, monkeypatch, path):
    plant_secret(project)
    env = project.parent / ".env.production"
    env.write_text("DATABASE_URL=postgres://app:Zq8pW2xL9vR4@db.internal/app\n", encoding="utf-8")
    project.write_text(project.read_text().replace(
        "    url: https://app.testco.example\n",
        "    url: https://app.testco.example\n    env_file: .env.production\n"), encoding="utf-8")
    if path == "plain fallback":
        from launchready_tui.core import export

        def broken(*a, **kw):
            raise OSError("disk full")

        monkeypatch.setattr(export, "write_incident_note", broken)
    app = make(project, runbooks=[RUNBOOKS], incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.main.query_one("#timeline-note", Input).focus()
        await pilot.press(*f"token was {SECRET}", "enter")
        await pilot.press(*" db pw Zq8pW2xL9vR4", "enter")
        await pilot.pause()
        app.clear_notifications()
        await pilot.click("#end-incident")
        await pilot.pause()
        app.screen.query_one("#f-cause", Input).value = f"someone pasted {SECRET}"
        await pilot.click("#end")
        await settle(app, pilot)
        notes = list((project.parent / ".launchready" / "incidents").glob("*"))
        assert len(notes) == 1
        text = notes[0].read_text()
        assert "token was" in text and "someone pasted" in text
        assert "redacted" in text
        assert SECRET not in text and "PLANTED" not in text and "Zq8pW2xL9vR4" not in text
        assert os.path.getsize(notes[0]) > 0
