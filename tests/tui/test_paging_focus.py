"""Paging with `n` never types into a form: a step's first field takes the focus only
once the person stops on it (found in the founder and on-call walks: a quick `n n n`
saved "nn" as a record value)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, TextArea

from launchready_tui.tui.screens import main as main_screen

BUNDLED = Path(__file__).resolve().parents[2] / "runbooks"


async def test_quick_n_presses_page_on_and_the_form_gets_the_focus_after_a_pause(make, project, monkeypatch):
    # A slower pause than the product's 1 s, so that a busy test machine (drawing and
    # prebuilding steps between the two presses) still counts as "quick"; the product's
    # own value is pinned below.
    assert main_screen.PAGING_FOCUS_DELAY_S == 1.0
    delay = 3.0
    monkeypatch.setattr(main_screen, "PAGING_FOCUS_DELAY_S", delay)
    app = make(project, runbooks=(BUNDLED,))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        rb = next(r for r in app.session.runbooks if any(s.records for s in r.steps[1:]))
        i = next(i for i in range(len(rb.steps) - 2) if rb.steps[i + 1].records and rb.steps[i + 2].records)
        app.main.show_step(rb, rb.steps[i])
        await pilot.pause()
        app.main.query_one("Sidebar").focus()
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("n")  # quickly: pages on, types nothing
        await pilot.pause()
        assert app.main.view.st.id == rb.steps[i + 2].id
        values = [w.value if isinstance(w, Input) else w.text
                  for w in app.main.query(".record-block Input, .record-block TextArea")]
        assert "n" not in values and not any(v.endswith("n") and v.strip("n") == "" for v in values if v)
        assert not isinstance(app.focused, Input | TextArea)
        await asyncio.sleep(delay + 0.3)  # the person stops on the step
        await pilot.pause()
        assert isinstance(app.focused, Input | TextArea)
        assert any(a is app.main.view for a in app.focused.ancestors_with_self)
        await pilot.press(*"ok")
        await pilot.pause()
        assert (app.focused.value if isinstance(app.focused, Input) else app.focused.text).endswith("ok")
