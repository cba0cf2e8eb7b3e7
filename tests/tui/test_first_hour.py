"""A founder's first hour (issue 21), the app side: the glossary from `?` and the
command palette, a temporary demo says so and offers to keep the work on quit, `e`
asks Markdown or HTML, the name that signs ticks is asked once."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import seed

SIZE = (120, 40)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def shown(app) -> str:
    """The screen's text (the screenshot without its SVG markup)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


def texts(app) -> str:
    """Every Static's text on the screen, scrolled out of sight or not."""
    from textual.widgets import Static

    return " ".join(" ".join(str(w.render()).split()) for w in app.screen.query(Static))


def screen_name(app) -> str:
    return type(app.screen).__name__


async def test_glossary_from_help_and_finds_a_word(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen_name(app) == "HelpScreen"
        assert "Press g for the glossary" in shown(app)
        await pilot.press("g")
        await pilot.pause()
        assert screen_name(app) == "GlossaryScreen"
        for ch in "nxdomain":
            await pilot.press(ch)
        await pilot.pause()
        text = app.screen.query_one("#glossary-text").source
        assert text.startswith("**NXDOMAIN.**") and "does not exist" in text
        assert "CNAME" not in text.split("\n\n")[0]
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "MainScreen"


async def test_glossary_is_in_the_command_palette(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Glossary") for t in titles), titles
        cmd = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Glossary"))
        cmd.callback()
        await pilot.pause()
        assert screen_name(app) == "GlossaryScreen"
        assert "**Rotate (a key).**" in app.screen.query_one("#glossary-text").source


async def test_help_says_a_temporary_demo_is_deleted_and_how_to_keep_it(make, project):
    seed(project, results=False)
    app = make(project, temporary=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("temporary" in m and "launchready demo --dir" in m for m in messages(app))
        await pilot.press("question_mark")
        await pilot.pause()
        shot = texts(app)
        assert "launchready demo --dir" in shot and "already saved" not in shot


async def test_help_outside_the_demo_still_says_saved(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert "already saved" in texts(app) and "temporary" not in texts(app)


async def test_quitting_a_temporary_demo_keeps_a_copy_when_asked(make, project, tmp_path, monkeypatch):
    from launchready_tui.core import demo_folder
    from launchready_tui.tui.app import demo_goodbye

    seed(project, results=False, confirm=True)
    app = make(project, temporary=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert screen_name(app) == "QuitDemoScreen"
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert screen_name(app) == "MainScreen"
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
    kept = app.kept_demo_dir
    assert kept is not None and demo_folder.is_demo_folder(kept)
    assert "owner-known" in (kept / ".launchready" / "state.json").read_text()
    assert f"launchready demo --dir {kept}" in demo_goodbye(kept)
    assert "launchready demo --dir" in demo_goodbye(None) and "deleted" in demo_goodbye(None)


async def test_quit_outside_the_demo_does_not_ask(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and app.kept_demo_dir is None


async def test_export_offers_markdown_or_html(make, project):
    seed(project, confirm=True)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert screen_name(app) == "ExportFormatScreen"
        await pilot.press("h")
        await settle(app, pilot)
        pages = list(project.parent.glob("handover-*.html"))
        assert len(pages) == 1, messages(app)
        assert pages[0].read_text().startswith("<!doctype html>")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: nothing more written
        await settle(app, pilot)
        assert not list(project.parent.glob("handover-*.md"))


async def test_the_name_is_asked_once_then_signs_ticks(make, project):
    from launchready_tui.core import identity

    seed(project, results=False)
    app = make(project, who=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert screen_name(app) == "YourNameScreen"
        box = app.screen.query_one("#your-name", Input)
        box.value = "Ana Lima"
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "MainScreen"
        assert app.session.who == "Ana Lima"
    assert identity.saved_name() == "Ana Lima"
    app2 = make(project, who=None)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert screen_name(app2) == "MainScreen"  # not asked again
        assert app2.session.who == "Ana Lima"


def test_host_names_keep_their_case_at_the_start_of_a_summary():
    from launchready_tui.tui.widgets.status import sentence_case

    assert sentence_case("blog.acme-demo.test does not answer") == "blog.acme-demo.test does not answer"
    assert sentence_case("https://x.test/ timed out") == "https://x.test/ timed out"
    assert sentence_case("STRIPE_SECRET_KEY is missing") == "STRIPE_SECRET_KEY is missing"
    assert sentence_case("no answer from 127.0.0.1") == "No answer from 127.0.0.1"


async def test_a_could_not_check_row_keeps_the_host_name_lowercase(make, project):
    from launchready_tui.core.results import errored

    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        view = app.main.view
        row = view.query("CheckRow").first()
        row.set_result(errored("uptime", row.target, "blog.acme-demo.test did not answer in 5 s",
                               why="w", fix="f"))
        await pilot.pause()
        assert str(row.query_one(".summary").render()).startswith("blog.acme-demo.test did not answer")


# ---------------------------------------------------------------------------- records check what they hold

FIRST_HOUR_RUNBOOKS = __import__("pathlib").Path(__file__).resolve().parent / "runbooks_first_hour"


async def test_record_fields_mark_a_bad_date_and_url_but_keep_them(make, project):
    app = make(project, runbooks=[FIRST_HOUR_RUNBOOKS])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        view = app.main.view
        date_box = view.query_one("#field-renew_on", Input)
        url_box = view.query_one("#field-status_page", Input)
        date_box.focus()
        for ch in "31/12/2026":
            await pilot.press(ch)
        url_box.focus()
        for ch in "status.acme.example":
            await pilot.press(ch)
        await pilot.pause()
        assert date_box.has_class("-bad-value") and url_box.has_class("-bad-value")
        err = str(view.query_one("#error-renew_on").render())
        assert "YYYY-MM-DD" in err and "Kept as you typed it" in err
        assert "https://" in str(view.query_one("#error-status_page").render())
        app.session.writer.flush()
        rec = app.session.state["records"]["records/dates/renewals"]
        assert rec["renew_on"]["value"] == "31/12/2026"  # kept as typed
        date_box.value = "2026-12-31"
        await pilot.pause()
        assert not date_box.has_class("-bad-value") and not view.query_one("#error-renew_on").display
    from launchready_tui.core import export
    from launchready_tui.core.profile import load_profile
    from launchready_tui.core.runbook import load_runbooks

    books, _ = load_runbooks([FIRST_HOUR_RUNBOOKS])
    md = export.render(export.gather(load_profile(project), books, author="Ana"), "md")
    line = next(x for x in md.splitlines() if "status.acme.example" in x)
    assert "not checked" in line and "https://" in line
    assert "not checked" not in next(x for x in md.splitlines() if "2026-12-31" in x)


async def test_setup_form_rejects_a_staging_answer_that_is_not_a_url_and_flags_a_missing_env_file(make, tmp_path):
    app = make(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # Create my profile
        await pilot.pause()
        q = lambda fid: app.screen.query_one(f"#q-{fid}", Input)  # noqa: E731
        q("project").value = "Test Co"
        q("domain").value = "testco.example"
        q("email").value = "Google Workspace, Postmark, Acme Mailer"
        q("staging_url").value = "ask Sam"
        q("production_env_file").value = ".env.prod"
        app.screen.query_one("#save").press()
        await pilot.pause()
        assert "not a web address" in str(app.screen.query_one("#err-staging_url").render())
        assert "no file '.env.prod'" in str(app.screen.query_one("#err-production_env_file").render())
        assert not (tmp_path / "launchready.yaml").exists()
        q("staging_url").value = "staging.testco.example"
        app.screen.query_one("#save").press()  # the env file is kept on the second save
        await pilot.pause()
        await settle(app, pilot)
        text = (tmp_path / "launchready.yaml").read_text()
        assert "url: https://staging.testco.example" in text
        assert "env_file: .env.prod  # not found" in text
        assert "Google Workspace, Postmark, Acme Mailer" in text


# ---------------------------------------------------------------------------- the details pane


def _long_result(target: str):
    from launchready_tui.core.results import failed

    return failed("redirects", target, f"http://{target}/ does not go to https:// (and 1 more finding)",
                  why="Visitors on `http://` see no lock. " * 20,
                  fix="In Cloudflare: **SSL/TLS > Edge Certificates**, turn on `Always Use HTTPS`. " * 10,
                  evidence={"findings": [
                      {"severity": "fail", "message": "http:// stays on http", "fix": "Turn on `Always Use HTTPS`."},
                      {"severity": "warn", "message": "no HSTS on the https hop",
                       "fix": "Add the `Strict-Transport-Security` header."}],
                      "hops": [{"url": "http://x.test/", "status": 301, "hsts": False},
                               {"url": "https://x.test/", "status": 200, "hsts": True}],
                      "ips": ["192.0.2.1", "192.0.2.2"], "headers": {"server": "lab", "hsts": None}})


async def test_details_start_at_the_top_open_every_finding_and_read_as_text(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.query_one("#detail")
        panel.show(_long_result("blog.acme-demo.test"))
        await pilot.pause()
        panel.scroll_end(animate=False)
        await pilot.pause()
        assert panel.scroll_y > 0
        panel.show(_long_result("www.acme-demo.test"))
        await pilot.pause()
        assert panel.scroll_y == 0
        text = panel.text()
        assert "All 2 findings" in text and "no HSTS on the https hop" in text
        assert "How to fix: Add the Strict-Transport-Security header." in text
        assert "`" not in text and "**" not in text  # code and bold are styled, not typed out
        assert "ips: 192.0.2.1, 192.0.2.2" in text
        assert "{" not in text and "[" not in text and '"' not in text  # no raw JSON
        assert "status" in text and "301" in text  # the hops as a table
        body = panel.query_one("#detail-body").visual
        assert any("accent" in str(sp.style) for sp in body.spans)  # `code` in the code style


async def test_no_keyring_explains_what_a_keyring_is_for_each_computer(make, project):
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    keyring.set_keyring(FailKeyring())
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await settle(app, pilot)
        status = " ".join(str(app.screen.query_one("#keyring-status").render()).split())
        assert "A keyring is the safe your computer keeps for passwords" in status
        for where in ("On a Mac:", "On Windows:", "On a Linux desktop"):
            assert where in status, where
        server = status.index("Only on a server with no screen (not your laptop)")
        assert status.index("dbus-run-session") > server  # the recipe is for servers, and says so
        assert status.index("On a Linux desktop") < server


# ---------------------------------------------------------------------------- never stuck: keys


async def test_page_keys_scroll_the_step_wherever_the_focus_is(make, project):
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        view = app.main.view
        assert view.max_scroll_y > 0
        app.main.query_one("#sidebar").focus()  # an OptionList: it has its own PgDn/Home/End
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert view.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        view.query_one("#notes-area").focus()  # a text area uses PgUp/PgDn itself
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y < view.max_scroll_y


async def test_home_and_end_move_the_cursor_in_a_one_line_field_then_scroll(make, project):
    app = make(project, runbooks=[FIRST_HOUR_RUNBOOKS])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        box = app.main.view.query_one("#field-who", Input)
        box.focus()
        box.value = "Ana Lima"
        view = app.main.view
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()  # focusing scrolls the field into view: let it finish
        y = view.scroll_y
        assert y > 0
        await pilot.press("home")
        await pilot.pause()
        assert box.cursor_position == 0 and view.scroll_y == y  # the cursor moved, not the step
        await pilot.press("home")  # at the start already: now the step goes to its top
        await pilot.pause()
        assert view.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        assert box.cursor_position == len("Ana Lima") and view.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y


async def test_tab_reaches_the_first_field_before_the_check_results(make, project):
    seed(project, results=True)
    app = make(project)  # basics / site-up: a check row, then a tick box
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        app.main.query_one("#sidebar").focus()
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused.has_class("confirm-box"), app.focused
        for _ in range(12):  # and the check rows are still reachable with Tab
            await pilot.press("tab")
            await pilot.pause()
            if type(app.focused).__name__ == "CheckRow":
                break
        assert type(app.focused).__name__ == "CheckRow"



# ---------------------------------------------------------------------------- the profile from the app


async def test_o_opens_the_profile_in_the_editor_keeps_comments_and_reloads(make, project, tmp_path, monkeypatch):
    import sys

    script = tmp_path / "fake_editor.py"
    script.write_text("import sys\np = sys.argv[1]\ntext = open(p).read()\n"
                      "open(p, 'w').write(text + 'canonical_host: www.testco.example\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    project.write_text("# my own comment, kept\n" + project.read_text())
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        first_main = app.main
        await pilot.press("o")
        await pilot.pause()
        await pilot.pause()
        assert app.session.profile.canonical_host == "www.testco.example"
        assert any("reloaded" in m for m in messages(app))
        # The reloaded main screen replaces the old one (which stops: no timers left behind).
        assert app.main is not first_main and app.screen_stack == [app.main]
        assert not first_main.is_attached
    text = project.read_text()
    assert text.startswith("# my own comment, kept\n") and "canonical_host: www.testco.example" in text


async def test_a_skipped_check_says_where_the_profile_is_and_how_to_open_it(make, project):
    from launchready_tui.core.results import skipped

    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.query_one("#detail")
        panel.show(skipped("env", "production", "environments.production.env_file"))
        await pilot.pause()
        text = " ".join(panel.text().split())
        assert f"Your profile is {project}" in text and "Press o to open it" in text


async def test_vim_as_the_only_editor_is_explained_first(make, project, monkeypatch):
    from launchready_tui.tui import editor

    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(editor.shutil, "which", lambda name: "/usr/bin/vim" if name == "vim" else None)
    seed(project, results=False)
    app = make(project)
    ran = []
    monkeypatch.setattr(app, "_run_editor", lambda cmd: ran.append(cmd))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert screen_name(app) == "EditorHelpScreen" and ":wq" in texts(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not ran
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert ran and ran[0][0] == "/usr/bin/vim"


async def test_a_step_that_asks_for_a_profile_setting_shows_where_the_profile_is(make, project):
    app = make(project, runbooks=[FIRST_HOUR_RUNBOOKS])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not app.main.view.query(".profile-hint")  # this step asks for none
        await pilot.press("escape", "n")
        await pilot.pause()
        await pilot.pause()
        hint = app.main.view.query_one(".profile-hint")
        assert str(project) in str(hint.render()) and "Press o" in str(hint.render())


async def test_backticks_in_a_row_summary_are_styled_not_shown(make, project):
    from launchready_tui.core.results import failed

    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        row = app.main.view.query("CheckRow").first()
        row.set_result(failed("spf", "testco.example", "The SPF record ends in `?all`: it protects nothing.",
                              why="w", fix="f"))
        await pilot.pause()
        shown_text = str(row.query_one(".summary").render())
        assert "`" not in shown_text and "?all" in shown_text


async def test_after_a_run_on_a_narrow_screen_the_worst_row_is_selected(make, project):
    from launchready_tui.core.results import failed

    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        main = app.main
        row = main.view.query("CheckRow").first()
        r = failed("uptime", row.target, "it is down", why="w", fix="f")
        r.runbook, r.step = main.rb.id, main.st.id
        r.check_id = row.key.split("/")[2].split("@")[0]
        assert r.key == row.key, (r.key, row.key)
        assert main._worst_row_here([r]) is row
