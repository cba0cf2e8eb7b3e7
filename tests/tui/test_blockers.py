"""The launch blockers screen (issue 15): the ranked problems one key away, owner and
priority edited and saved; stage 1's risk list starts from them."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.tui.conftest import WHO, seed

SIZE = (120, 40)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_b_opens_the_ranked_list_and_owner_priority_are_saved(make, project):
    from launchready_tui.tui.screens.blockers import BlockersScreen

    seed(project)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BlockersScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        (p,) = screen.problems
        assert p.id == "uptime:https://app.testco.example/health:down" and p.rank == 1
        assert "Verdict: not ready to launch" in str(screen.query_one("#blockers-verdict").render())
        screen.query_one("#blocker-owner", Input).value = "Sam"
        screen.query_one("#blocker-priority", Input).value = "p1"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert table.get_row_at(0)[2:4] == ["Sam", "P1"]
        app.session.writer.flush()
        meta = app.session.store.load()["problems"][p.id]
        assert (meta["owner"], meta["priority"], meta["by"]) == ("Sam", "P1", WHO)
        # a wrong priority is refused, not saved
        screen.query_one("#blocker-priority", Input).value = "urgent"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        app.session.writer.flush()
        assert app.session.store.load()["problems"][p.id]["priority"] == "P1"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is app.main
        # the saved owner is what the next derivation (report, handover) sees
        (again,) = app.session.launch_problems()
        assert (again.owner, again.priority) == ("Sam", "P1")


async def test_no_results_yet_says_what_to_do(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.run_action("blockers")
        await settle(app, pilot)
        assert "No checks have run yet" in str(app.screen.query_one("#blockers-verdict").render())
        assert app.screen.query_one(DataTable).row_count == 0


def test_stage_one_fields_start_from_the_problems(project):
    from launchready_tui.core.runbook import Record, RecordField
    from launchready_tui.tui.screens.blockers import normalize_priority, start_values
    from launchready_tui.tui.session import Session

    seed(project)
    s = Session(project, None, who=WHO).load()
    try:
        risks = Record("risk-list", "Risks", (RecordField("risks", "Risks", "multiline"),
                                              RecordField("ranked_by", "Who", "owner")), 1)
        values, started = start_values(s, risks, {"risks": "", "ranked_by": ""})
        assert started and values["risks"].startswith("1. https://app.testco.example/health answers")
        assert values["ranked_by"] == ""
        kept, _ = start_values(s, risks, {"risks": "my own list"})
        assert kept["risks"] == "my own list"  # what a person wrote is never replaced
        other = Record("other", "x", (RecordField("risks", "Risks", "multiline"),), 1)
        assert start_values(s, other, {"risks": ""}) == ({"risks": ""}, False)
        blockers = Record("launch-blockers", "B", (RecordField("blockers", "B", "multiline"),), 1)
        values, _ = start_values(s, blockers, {"blockers": ""})
        # a 503 on the app's health URL is 'site down' (level 2): a launch blocker
        assert values["blockers"] == ("https://app.testco.example/health answers with an error: HTTP 503"
                                      " - owner: ? - priority: ?")
    finally:
        s.close()
    assert [normalize_priority(x) for x in ("p2", "3", "", "soon")] == ["P2", "P3", "", None]


async def test_palette_entry_and_stage_one_step_starts_from_the_list(make, project):
    """The command palette names the screen; the bundled stage 1's risk-list field opens
    with the ranked problems, beside a button that opens the screen."""
    from textual.widgets import Button, TextArea

    from launchready_tui.core.runbook import bundled_runbooks_dir
    from launchready_tui.tui.screens.blockers import BlockersScreen

    seed(project)
    app = make(project, runbooks=(bundled_runbooks_dir(),))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Launch blockers (b)" in [c.title for c in app.get_system_commands(app.main)]
        rb = app.session.runbook("quick-audit")
        st = next(s for s in rb.steps if s.id == "rank-risks")
        app.main.show_step(rb, st)
        await settle(app, pilot)
        area = app.main.view.query_one("#field-risks", TextArea)
        assert area.text.startswith("1. https://app.testco.example/health answers with an error: HTTP 503")
        button = app.main.view.query_one(".open-blockers", Button)
        button.press()
        await settle(app, pilot)
        assert isinstance(app.screen, BlockersScreen)


def test_the_screen_leaves_out_a_problem_accepted_in_the_allowlist(project):
    from launchready_tui.tui.session import Session

    seed(project)
    (project.parent / ".launchready" / "allow.yaml").write_text(
        "allow:\n  - id: \"uptime:https://app.testco.example/health:down\"\n"
        "    reason: the health page moves in the next release\n    expires: 2099-01-01\n")
    s = Session(project, None, who=WHO).load()
    try:
        assert s.launch_problems() == []
    finally:
        s.close()
