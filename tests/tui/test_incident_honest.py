"""Issue 13, in the app: each incident is its own, the clock tells the truth, typing is
typing, and the note is written once. Pilot tests, driven with keys as an on-call
person would."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input, TextArea

from launchready_tui.lab import Lab, Rule, Site, World

SIZE = (120, 40)
BUNDLED = Path(__file__).resolve().parents[2] / "runbooks"


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def texts(bar) -> str:
    return " | ".join(str(bar.query_one(f"#{i}").render())
                      for i in ("incident-name", "incident-elapsed", "incident-budget"))


def bar_of(app):
    from launchready_tui.tui.widgets.incident import IncidentBar

    return app.main.query_one(IncidentBar)


# ---------------------------------------------------------------------------- each incident is its own


async def test_a_new_incident_starts_fresh_and_the_earlier_one_stays_readable(make, project, clock):
    app = make(project, incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rb = app.session.runbook("deploy-failure")
        await pilot.press("space")  # tick "We decided to roll back"
        await pilot.press("d")  # on to the rollback step
        await pilot.click(app.main.view.query_one("#run-command"))
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert "rolled back" in "\n".join(map(str, app.main.view.command_block("rollback").query_one("Log").lines))
        first_id = app.session.incident.id
        clock.advance(120)
        await pilot.press("x")  # the end-incident key
        await pilot.pause()
        assert type(app.screen).__name__ == "EndIncidentScreen"
        await pilot.press(*"bad migration")  # the first field has the focus
        await pilot.click("#end")
        await settle(app, pilot)
        assert app.session.incident is None
        clock.advance(3600)
        # A second deploy failure, an hour later: step 1, nothing ticked, nothing done,
        # no command output from the first one.
        app.main.enter_incident(rb)
        await settle(app, pilot)
        assert app.session.incident.id != first_id
        assert app.main.view.st.id == "decide"
        assert app.main.view.query_one(Checkbox).value is False
        assert not app.session.is_done(rb, rb.steps[0])
        assert not any(k.startswith("deploy-failure/") for k in app.session.state.get("confirmations", {}))
        await pilot.press("n")
        await pilot.pause()
        log = app.main.view.command_block("rollback").query_one("Log")
        assert not list(log.lines), "the first incident's command output is shown in the second"
        assert "Elapsed 00:00" in texts(bar_of(app))
        # The earlier incident is in the list, with its note.
        app.action_past_incidents()
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "PastIncidentsScreen"
        from textual.widgets import OptionList

        options = screen.query_one("#past-list", OptionList)
        assert options.option_count == 2
        first = next(i for i in screen.incidents if i["id"] == first_id)
        note = screen.note_text(first)
        assert "bad migration" in note
        assert "Decided" in note or "decided" in note
        # and its own ticks were kept with it
        assert any(k.startswith("deploy-failure/decide/") for k in first["snapshot"]["confirmations"])


async def test_quitting_with_an_open_incident_asks_first(make, project):
    app = make(project, incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "QuitWithIncidentScreen"
        await pilot.press("escape")  # keep working
        await pilot.pause()
        assert app.screen is app.main and app.is_running
        await pilot.press("q")
        await pilot.pause()
        await pilot.click("#quit")
        await pilot.pause()
    assert app.return_code == 0
    # it stays open, and the app opens it again next time
    state = app.session.store.load()
    assert [i for i in state["incidents"].values() if not i["ended_at"]]


async def test_ending_an_incident_has_a_key_and_a_palette_command(make, project):
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        names = [c.title for c in app.get_system_commands(app.main)]
        assert not any("End the incident" in n for n in names)
        app.main.enter_incident(app.session.runbook("deploy-failure"))
        await settle(app, pilot)
        names = [c.title for c in app.get_system_commands(app.main)]
        assert "End the incident (x)" in names
        await pilot.press("x")
        await pilot.pause()
        assert type(app.screen).__name__ == "EndIncidentScreen"


# ---------------------------------------------------------------------------- the clock tells the truth


async def test_each_runbook_shows_its_own_budget_never_roll_back_now_elsewhere(make, project, clock):
    app = make(project, runbooks=(BUNDLED,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.main.enter_incident(app.session.runbook("site-down"))
        await settle(app, pilot)
        clock.advance(2 * 3600)
        app.main._tick()
        t = texts(bar_of(app))
        assert "No time budget" in t and "roll back" not in t.lower() and "BLOWN" not in t
        app.session.incident = None
        app.main.enter_incident(app.session.runbook("secret-leaked"))
        await settle(app, pilot)
        t = texts(bar_of(app))
        assert "Rotate the key within the hour: 1:00:00 left (60 min)" in t
        clock.advance(3601)
        app.main._tick()
        t = texts(bar_of(app))
        assert "BLOWN" in t and "rotate the key now" in t and "roll back" not in t.lower()
        app.session.incident = None
        app.main.enter_incident(app.session.runbook("deploy-failure"))
        await settle(app, pilot)
        assert "Rollback budget: 10:00 left (10 min)" in texts(bar_of(app))


def lab_world() -> World:
    d = "testco.example"
    w = World(profile={"project": "Test Co", "domain": d, "hosts": {"app": f"app.{d}"}})
    w.records += [(d, "A", "127.0.0.1"), (f"app.{d}", "A", "127.0.0.1"), (f"status.{d}", "A", "127.0.0.1")]
    w.sites[d] = Site(default=Rule(body="ok"))
    w.sites[f"app.{d}"] = Site(default=Rule(body="ok"))
    w.sites[f"status.{d}"] = Site(default=Rule(body="ok"))
    w.profile["monitor"] = [f"https://{d}/", f"https://app.{d}/health"]
    w.profile["deploy"] = {"rollback": "echo rolled back", "smoke": [f"https://app.{d}/health"]}
    return w


async def test_a_verified_rollback_stops_the_clock_and_the_note_says_the_same(make, tmp_path, clock):
    with Lab(lab_world(), tmp_path / "lab", timeout_s=5) as lab:
        app = make(lab.profile_path, incident="deploy-failure")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("space", "d")
            await pilot.pause()
            clock.advance(58)
            await pilot.click(app.main.view.query_one("#run-command"))
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            r = app.session.result("deploy-failure/roll-back/rollback@block:rollback")
            assert r is not None and r.status.value == "pass", r
            t = texts(bar_of(app))
            assert "Rolled back and verified at 00:58" in t and "within budget" in t
            clock.advance(20 * 60)  # the clock has stopped: nothing is blown later
            app.main._tick()
            t = texts(bar_of(app))
            assert "verified at 00:58" in t and "BLOWN" not in t
            lines = [str(s.render()) for s in app.main.query(".event")]
            assert any("Rolled back and verified at 00:58, within the 10-minute budget" in ln for ln in lines)
            await pilot.press("x")
            await pilot.pause()
            await pilot.click("#end")
            await settle(app, pilot)
        note = next((lab.dir / ".launchready" / "incidents").glob("*.md")).read_text()
        assert "verified at 00:58" in note
        assert "within the 10-minute budget" in note
        assert "over budget" not in note and "over the" not in note


async def test_the_header_fits_at_80_and_120_columns(make, project, clock):
    for size in ((120, 40), (80, 24)):
        app = make(project, incident="deploy-failure")
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            bar = bar_of(app)
            for advance in (0, 700, "verified"):
                if advance == "verified":  # the clock stopped: its one line fits too
                    inc = app.session.incident_data()
                    inc["verified_at"], inc["verified_s"] = inc["started_at"], 58
                else:
                    clock.advance(advance)
                app.main._tick()
                await pilot.pause()
                line = bar.query_one(".incident-line")
                assert bar.region.height <= 4, (size, bar.region)
                for label in line.children:  # every word on screen: nothing cut off at the edge
                    text = str(label.render())
                    if not label.display:
                        assert not text
                        continue
                    assert label.region.right <= bar.region.right, (size, text)
                    assert label.region.width * label.region.height >= len(text), (size, text, label.region)
                    shown = app.export_screenshot()
                    assert all(word in shown for word in text.split()), (size, text)


# ---------------------------------------------------------------------------- typing is typing


async def test_letters_in_a_text_field_are_text_and_forms_get_the_focus(make, project):
    app = make(project, runbooks=(BUNDLED,), incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rb = app.session.runbook("deploy-failure")
        app.main.show_step(rb, rb.steps[-1])  # the incident note's form
        await pilot.pause()
        await pilot.pause()
        first = app.focused
        assert isinstance(first, TextArea | Input), first
        assert first.id == "field-timeline"
        await pilot.press(*"qdnpxrRecib", "space", "question_mark")
        await pilot.pause()
        assert app.screen is app.main and app.is_running
        assert app.main.view.st.id == "incident-note"
        assert first.text == "qdnpxrRecib ?"
        for w in (app.main.query_one("#timeline-note", Input), app.main.view.query_one("#notes-area", TextArea)):
            w.focus()
            await pilot.press(*"qdx i")
            await pilot.pause()
            assert app.screen is app.main
            assert (w.value if isinstance(w, Input) else w.text).endswith("qdx i")


async def test_done_with_unticked_boxes_asks_and_names_them(make, project, clock):
    app = make(project, runbooks=(BUNDLED,), incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.main.view.st.id == "confirm-deploy"
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDoneScreen"
        shown = " ".join(str(s.render()) for s in app.screen.query(".unticked"))
        assert "The trouble started soon after the last deploy" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.main.view.st.id == "confirm-deploy"
        assert not app.session.is_done(app.main.rb, app.main.st)
        await pilot.press("space")  # one press ticks it
        await pilot.pause()
        await pilot.press("d")  # nothing unticked: no question
        await pilot.pause()
        assert app.screen is app.main and app.main.view.st.id == "decide"


async def test_the_end_dialog_is_the_last_steps_form_at_80x24(make, project, clock):
    app = make(project, runbooks=(BUNDLED,), incident="deploy-failure")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rb = app.session.runbook("deploy-failure")
        st = rb.steps[-1]
        app.session.set_record(rb, st, "incident-note", "cause", "a bad migration")
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "EndIncidentScreen"
        ids = [f.id for f in screen.fields]
        assert ids == [f.id for f in st.records[-1].fields]  # every field, none dropped
        assert screen.query_one("#f-cause", TextArea).text == "a bad migration"  # filled in from the step
        assert app.focused is screen.query_one("#f-timeline")
        for bid in ("#end", "#cancel"):
            b = screen.query_one(bid)
            assert b.region.height > 0 and b.region.bottom <= 24, (bid, b.region)
        await pilot.press(*"14:05 deploy")
        screen.query_one("#f-written_by", Input).value = "Ana"
        await pilot.click("#end")
        await settle(app, pilot)
        # the step's form holds what the dialog wrote: one note, one set of data
        assert app.session.record_value(rb, st, "incident-note", "timeline") == "14:05 deploy"
        assert app.session.record_value(rb, st, "incident-note", "written_by") == "Ana"
    inc = next(iter(app.session.store.load()["incidents"].values()))
    assert inc["fields"]["cause"] == "a bad migration" and inc["fields"]["timeline"] == "14:05 deploy"


async def test_the_notes_decision_row_is_the_decision_and_its_time(make, project, clock):
    app = make(project, incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        clock.advance(150)
        await pilot.press("space")  # 12:02:30: we decided to roll back
        await pilot.pause()
        clock.advance(60)
        await pilot.press("x")
        await pilot.pause()
        await pilot.click("#end")
        await settle(app, pilot)
    note = next((project.parent / ".launchready" / "incidents").glob("*.md")).read_text()
    row = next(ln for ln in note.splitlines() if ln.startswith("| Decision"))
    assert "12:02:30" in row and "We decided to roll back" in row, row
    assert "Incident started" not in row


async def test_the_decision_row_is_the_decision_not_an_earlier_tick(make, project, clock):
    app = make(project, runbooks=(BUNDLED,), incident="deploy-failure")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "d")  # "it is the deploy": a tick, not the decision
        await pilot.pause()
        clock.advance(95)
        await pilot.press("space")  # 12:01:35: "I decided to roll back and told the team channel."
        await pilot.pause()
        app.main.action_end_incident()
        await pilot.pause()
        await pilot.click("#end")
        await settle(app, pilot)
    note = next((project.parent / ".launchready" / "incidents").glob("*.md")).read_text()
    row = next(ln for ln in note.splitlines() if ln.startswith("| Decision"))
    assert "12:01:35" in row and "I decided to roll back" in row, row


async def test_at_launch_the_apps_keys_come_first_even_on_a_form_step(make, project):
    """Opening on a step with a form (where the person left off), the first key an on-call
    person presses, i, opens the incidents: it is not typed into the form."""
    from launchready_tui.core.state import StateStore

    StateStore(project.parent / ".launchready").update(
        lambda s: s.update(position={"runbook": "basics", "step": "map"}))
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.main.view.st.id == "map"
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "IncidentPicker"


async def test_the_same_command_from_two_runbooks_runs_once_at_a_time(make, tmp_path):
    """Stage 2's rollback drill and the incident's rollback are one command: while it
    runs from one, Run on the other does not start it a second time."""
    rb = tmp_path / "rb"
    rb.mkdir()
    for rid, kind in (("drill", "stage: 2"), ("deploy-failure", "kind: incident")):
        (rb / f"{rid}.md").write_text(
            f"---\nid: {rid}\ntitle: {rid}\n{kind}\ngoal: g\nsummary: s\n---\n\n"
            "## Roll back {#roll-back}\n\n```command\nid: rollback\nrun: \"{{ deploy.rollback }}\"\n```\n",
            encoding="utf-8")
    marker = tmp_path / "ran.log"
    p = tmp_path / "launchready.yaml"
    p.write_text(f"project: X\ndomain: x.example\ndeploy:\n  rollback: echo once >> {marker}; sleep 2\n",
                 encoding="utf-8")
    app = make(p, runbooks=(rb,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        drill = app.session.runbook("drill")
        app.main.show_step(drill, drill.steps[0])
        await pilot.pause()
        await pilot.click(app.main.view.query_one("#run-command"))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        other = app.session.runbook("deploy-failure")
        app.main.show_step(other, other.steps[0])
        await pilot.pause()
        await pilot.pause()
        await pilot.click(app.main.view.query_one("#run-command"))
        await pilot.pause()
        assert type(app.screen).__name__ != "ConfirmCommandScreen", "a second copy was offered"
        await settle(app, pilot)
    assert marker.read_text().splitlines() == ["once"]
