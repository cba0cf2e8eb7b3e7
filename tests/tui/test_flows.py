"""Pilot and CLI tests of the app's other paths: first start and `init`, `demo`,
`incident`, export, credentials, problems, a crashing worker."""

from __future__ import annotations

import argparse
import json

import pytest
from textual.widgets import Input

from launchready_tui.core.state import StateStore
from tests.tui.conftest import RUNBOOKS, seed

SIZE = (120, 40)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


# ---------------------------------------------------------------------------- first start


async def test_welcome_then_create_profile_opens_stage_one(make, tmp_path):
    app = make(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        await pilot.press("enter")  # "Create my profile" has the focus
        await pilot.pause()
        assert type(app.screen).__name__ == "InitScreen"
        app.screen.query_one("#q-project", Input).value = "Test Co"
        app.screen.query_one("#q-domain", Input).value = "not a domain"
        app.screen.query_one("#save").press()
        await pilot.pause()
        await pilot.pause()
        assert not (tmp_path / "launchready.yaml").exists()
        assert "✗" in str(app.screen.query_one("#err-domain").render())
        assert app.focused is app.screen.query_one("#q-domain")  # taken to the answer to fix
        app.screen.query_one("#q-domain", Input).value = "https://www.TestCo.example/"
        app.screen.query_one("#q-hosts", Input).value = "app.testco.example"
        app.screen.query_one("#q-email", Input).value = "Google Workspace"
        app.screen.query_one("#save").press()
        await pilot.pause()
        await settle(app, pilot)
        text = (tmp_path / "launchready.yaml").read_text()
        assert "domain: testco.example" in text and "app: app.testco.example" in text
        assert "include:_spf.google.com" in text
        assert app.screen is app.main and app.main.view.st.id == "site-up"
        assert app.session.profile is not None and app.session.profile.project == "Test Co"


def test_init_cli_prompts_and_never_overwrites(cli, tmp_path):
    answers = "Acme Creators\nacme.example\nwww.acme.example app.acme.example\npostmark\n" \
              "https://app.acme.example\n.env.production\n\n\n"
    (tmp_path / ".env.production").write_text("APP_ENV=production\n")  # a missing one is flagged
    r = cli("init", cwd=tmp_path, stdin=answers)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "launchready.yaml").read_text()
    assert "project: Acme Creators" in text and "include:spf.mtasv.net" in text
    assert "env_file: .env.production" in text and text.startswith("# LaunchReady profile")
    r = cli("check", "--help", cwd=tmp_path)
    assert r.returncode == 0
    again = cli("init", cwd=tmp_path, stdin=answers)  # not a terminal: refuses, changes nothing
    assert again.returncode == 2 and "not overwritten" in again.stderr
    assert (tmp_path / "launchready.yaml").read_text() == text


# ---------------------------------------------------------------------------- demo, incident CLI


def test_demo_opens_the_app_on_the_lab_and_stops_it(monkeypatch):
    from launchready_tui.commands import demo
    from launchready_tui.tui import app as app_module

    seen = {}

    def fake_run_app(profile_path, runbook_dirs=None, demo=False, temporary=False, **kw):
        from launchready_tui.core.profile import load_profile

        profile = load_profile(profile_path)
        seen.update(path=profile_path, demo=demo, temporary=temporary, ns=profile.get("network.nameservers"))
        import socket

        host, port = seen["ns"][0].rsplit(":", 1)
        s = socket.create_connection(("127.0.0.1", int(port)), timeout=2)  # the lab's DNS answers TCP
        s.close()
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("sys.stdout", Terminal())
    ns = argparse.Namespace(no_tui=False, format="text", dir=None, runbooks=None)
    assert demo.run(ns) == 0
    assert seen["demo"] is True and seen["temporary"] is True
    assert not seen["path"].exists()  # the lab's temporary folder is gone: it stopped


def test_demo_without_a_terminal_prints_the_report(cli):
    r = cli("demo", timeout=180)
    assert r.returncode == 0
    assert "not a terminal" in r.stderr and "LaunchReady report for Acme Creators (demo)" in r.stdout


def test_incident_cli_lists_rejects_unknown_and_exports(cli, project):
    r = cli("incident", "--runbooks", str(RUNBOOKS), "--profile", str(project))
    assert r.returncode == 0 and "deploy-failure" in r.stdout
    r = cli("incident", "nope", "--runbooks", str(RUNBOOKS), "--profile", str(project))
    assert r.returncode == 2 and "no incident runbook 'nope'" in r.stderr
    from launchready_tui.core.incidents import IncidentLog

    store = StateStore(project.parent / ".launchready")
    log = IncidentLog.start(store, "deploy-failure", title="A deploy broke production", who="Ana")
    log.note("rolled back at 12:04")
    log.end(save_note=False)
    out = project.parent / "note.md"
    r = cli("incident", "deploy-failure", "--export", "-o", str(out), "--runbooks", str(RUNBOOKS),
            "--profile", str(project))
    assert r.returncode == 0, r.stderr
    assert "rolled back at 12:04" in out.read_text()


# ---------------------------------------------------------------------------- export, credentials


async def test_export_key_writes_the_handover(make, project):
    seed(project, confirm=True)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")  # asks Markdown or HTML; m = Markdown
        await pilot.pause()
        await pilot.press("m")
        await settle(app, pilot)
        written = list(project.parent.glob("handover-*.md"))
        assert len(written) == 1, messages(app)
        assert any("Handover written to" in m for m in messages(app))
        assert "Test Co" in written[0].read_text()


async def test_credentials_value_goes_only_to_the_keyring(make, project):
    import keyring

    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await settle(app, pilot)
        screen = app.screen
        assert "keyring is ready" in str(screen.query_one("#keyring-status").render())
        value_box = screen.query_one("#c-value", Input)
        assert value_box.password  # masked
        for fid, val in (("id", "stripe-live"), ("label", "Stripe live key"), ("reference", "1Password"),
                         ("owner", "Ana"), ("rotate", "90d")):
            screen.query_one(f"#c-{fid}", Input).value = val
        value_box.value = "sk_live_SECRETVALUE123"
        app.screen.query_one("#add").press()  # below the fold at 40 rows
        await pilot.pause()
        await settle(app, pilot)
        assert value_box.value == ""  # cleared once stored
        assert "stripe-live" in str(screen.query_one(".cred").render())
        assert keyring.get_keyring().get_password("launchready:Test Co", "stripe-live") == "sk_live_SECRETVALUE123"
        state_text = (project.parent / ".launchready" / "state.json").read_text()
        assert "SECRETVALUE" not in state_text and json.loads(state_text)["credentials"]["stripe-live"]["has_value"]
        assert "SECRETVALUE" not in app.export_screenshot()


async def test_missing_keyring_is_explained_not_a_crash(make, project, monkeypatch):
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    keyring.set_keyring(FailKeyring())
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await settle(app, pilot)
        status = str(app.screen.query_one("#keyring-status").render())
        assert "cannot store values" in status and "What to do" in status
        app.screen.query_one("#c-id", Input).value = "db"
        app.screen.query_one("#c-value", Input).value = "hunter2"
        app.screen.query_one("#add").press()  # below the fold at 40 rows
        await pilot.pause()
        await settle(app, pilot)
        assert any("Not added" in m for m in messages(app))
        app.screen.query_one("#c-value", Input).value = ""  # without a value it works
        app.screen.query_one("#add").press()  # below the fold at 40 rows
        await pilot.pause()
        await settle(app, pilot)
        assert "db" in str(app.screen.query_one(".cred").render())


# ---------------------------------------------------------------------------- errors


async def test_a_crashing_worker_becomes_a_notification(make, project, monkeypatch):
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def boom():
            raise RuntimeError("network layer exploded")

        monkeypatch.setattr(app.session, "make_context", boom)
        await pilot.press("r")
        await settle(app, pilot)
        assert any("Something went wrong" in m and "exploded" in m for m in messages(app))
        await pilot.press("n")  # and the app keeps working
        assert app.main.view.st.id == "map"


async def test_problems_screen_reload_after_fixing_the_file(make, project):
    project.write_text("project: Test Co\ndomain: testco.example\nmonitor: 5\n")
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "ProblemsScreen"
        assert "launchready.yaml, line 3" in " ".join(str(s.render()) for s in app.screen.query(".problem"))
        first_main = app.main
        project.write_text("project: Test Co\ndomain: testco.example\n")
        await pilot.click("#reload")
        await settle(app, pilot)
        assert app.session.problems == [] and app.session.profile is not None
        assert type(app.screen).__name__ == "MainScreen"
        # One main screen: the one built from the fixed file replaced the first.
        assert app.screen_stack == [app.main] and app.main is not first_main
        assert not first_main.is_attached


@pytest.mark.parametrize("choice", ["read", "start"])
async def test_incident_from_the_sidebar_asks_first(make, project, choice):
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sidebar = app.main.query_one("#sidebar")
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("nav-deploy-failure")
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "StartIncidentScreen"
        await pilot.click(f"#{choice}")
        await settle(app, pilot)
        assert app.main.view.rb.id == "deploy-failure"
        assert (app.session.incident is not None) == (choice == "start")
