"""Worker errors never vanish: a crashed worker on the app (export) or on a screen (adding
a credential) becomes a visible notification with the plain reason, and the app goes on."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import seed

SIZE = (120, 40)


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_a_crashed_export_is_a_notification(make, project, monkeypatch):
    from launchready_tui.core import export

    def broken(*a, **kw):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(export, "export_handover", broken)
    seed(project)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("m")
        await settle(app, pilot)
        assert any("Something went wrong (RuntimeError: the renderer fell over)" in m for m in messages(app)), \
            messages(app)
        assert app.main is not None and app.screen is app.main  # and the app keeps working


async def test_a_crashed_credential_add_is_a_notification(make, project, monkeypatch):
    from launchready_tui.core import credentials

    def broken(self, cred, value=None):
        raise ValueError("the store is in a bad mood")

    monkeypatch.setattr(credentials.CredentialStore, "add", broken)
    seed(project, results=False)
    app = make(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await settle(app, pilot)
        app.screen.query_one("#c-id", Input).value = "stripe-live"
        app.screen.query_one("#add").press()
        await pilot.pause()
        await settle(app, pilot)
        assert any("Something went wrong (ValueError: the store is in a bad mood)" in m for m in messages(app)), \
            messages(app)
