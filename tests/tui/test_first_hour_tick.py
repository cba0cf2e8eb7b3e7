"""A tick takes one key press (issue 21): space on a step ticks its first unticked box."""

from __future__ import annotations

from tests.tui.conftest import seed

SIZE = (120, 40)


async def test_a_tick_takes_one_key_press(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        app.session.writer.flush()
        entry = app.session.state["confirmations"].get("basics/site-up/owner-known")
        assert entry and entry["by"] == "Ana Tester"
