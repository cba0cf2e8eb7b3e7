"""Snapshot tests of every screen, at 120x40 and 80x24, on fixed data: fixed results,
a fixed clock and person, no durations, cursor blink off, no notifications.

Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`,
then look at the SVGs in tests/tui/__snapshots__/ before committing them.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import no_blink, seed

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    no_blink(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
class TestMainScreen:
    """The main screen on the first step of stage 1, with the last results saved.

    A reviewer should see: the stage sidebar (7 stages, "0/4 done · ✗ FAIL" on stage 1,
    stages without runbooks marked "not written yet", the incident runbook), the step's
    title and text, and on the wide screen the empty detail panel; the footer lists the
    keys r n p d space ? q R e c i."""

    def test_main(self, snap_compare, make, project, size):
        seed(project)
        app = make(project)
        assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
class TestFailingCheck:
    """A failing check with its fix: the HTTP 503 row of the uptime check is selected.

    Wide: the row is highlighted and the detail panel shows "✗ FAIL", the summary,
    "Why it matters", "How to fix it" and "What was seen" (status 503, checked at the
    fixed time). Narrow: the same details fill a dialog, with a Close button."""

    def test_failing_check(self, snap_compare, make, project, size):
        seed(project, confirm=True)
        app = make(project)

        async def select_failure(pilot):
            await _settle(pilot)
            rows = {r.target: r for r in app.main.view.query("CheckRow")}
            row = rows["https://app.testco.example/health"]
            row.focus()
            await pilot.pause()
            await pilot.press("enter")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=select_failure)


@pytest.mark.parametrize("size", SIZES)
class TestHelp:
    """The help dialog: what the app does, every key with what it does, and what each
    result symbol and word means, with a Close button."""

    def test_help(self, snap_compare, make, project, size):
        app = make(project)
        assert snap_compare(app, press=["question_mark"], terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
class TestCredentials:
    """The credentials screen with one recorded credential (no value) and a working
    (in-memory test) keyring: "✓ Your keyring is ready", the list, the add form with a
    masked value field."""

    def test_credentials(self, snap_compare, make, project, size):
        from launchready_tui.core.credentials import Credential, CredentialStore
        from launchready_tui.core.profile import load_profile
        from launchready_tui.core.state import StateStore

        seed(project, results=False)
        store = CredentialStore.for_profile(load_profile(project), StateStore(project.parent / ".launchready"))
        store.add(Credential(id="stripe-live", label="Stripe live key", reference="1Password > Ops",
                             owner="Ana Tester", rotate_every_days=90, last_rotated="2026-11-01",
                             created_at="2026-11-01T00:00:00+00:00"))
        app = make(project)

        async def open_credentials(pilot):
            await _settle(pilot)
            await pilot.press("c")
            await _settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=open_credentials)


@pytest.mark.parametrize("size", SIZES)
class TestIncidentMode:
    """Incident mode for deploy-failure, 3 min 5 s in: the red bar shows the incident,
    "Elapsed 03:05" and "Rollback budget: 06:55 left (10 min)"; the timeline shows the
    start, a decision (the ticked box) and the step marked done, each with +offset and
    UTC time; the view is on the rollback step with its command block and Run button."""

    def test_incident(self, snap_compare, make, project, size, clock):
        app = make(project, incident="deploy-failure")

        async def work_the_incident(pilot):
            await _settle(pilot)
            clock.advance(60)
            await pilot.press("space")  # one key press ticks
            clock.advance(65)
            await pilot.press("d")
            clock.advance(60)
            app.main._tick()
            await _settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=work_the_incident)


@pytest.mark.parametrize("size", SIZES)
class TestWelcome:
    """No profile in this folder: the welcome screen explains the tool and offers
    "Create my profile" (focused), "Look around first" and "Quit", and points at
    `launchready demo`."""

    def test_welcome(self, snap_compare, make, tmp_path, size):
        app = make(None)  # ./launchready.yaml in tmp_path: not there
        assert snap_compare(app, terminal_size=size, run_before=_settle)
