"""Snapshot of the launch blockers screen (issue 15), at 120x40 and 80x24, on fixed data.

Update after a deliberate change with
`pytest tests/tui/test_snapshots_blockers.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import no_blink, seed

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


@pytest.mark.parametrize("size", SIZES)
class TestBlockers:
    """The launch blockers screen after pressing b with the basics stage's results saved.

    A reviewer should see: the title "Launch blockers", the verdict ("not ready to
    launch", fix #1 first), a table with one row (#1, ✗ FAIL, owner and priority "-",
    impact "site down", the health URL's 503), and
    below it the selected problem's impact, fix and "Check again: launchready check
    --runbook basics --step site-up", then the Owner and Priority fields and Save / Back."""

    def test_blockers(self, snap_compare, make, project, size):
        seed(project)
        app = make(project)

        async def open_blockers(pilot):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("b")
            await pilot.pause()
            no_blink(pilot.app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=open_blockers)
