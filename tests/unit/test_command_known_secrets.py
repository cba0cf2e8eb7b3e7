"""A command that prints a secret the project keeps (keyring value, env-file value) never
records or streams it, even when the secret was not given to it as an env variable; and an
incident note rendered for a profile is redacted on every path."""

from __future__ import annotations

import json

from launchready_tui.core.checks import command
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.credentials import Credential, CredentialStore
from launchready_tui.core.net import Net
from launchready_tui.core.profile import load_profile, net_config
from launchready_tui.core.runbook import Command
from launchready_tui.core.state import StateStore

SECRET = "ghp_Planted+Secret/Value=42"
DB_PW = "Zq8pW2xL9vR4"


def make_profile(tmp_path):
    (tmp_path / ".env.production").write_text(f"DATABASE_URL=postgres://app:{DB_PW}@db/app\n")
    (tmp_path / "launchready.yaml").write_text(
        "project: Known Co\ndomain: known.example\n"
        "environments:\n  production:\n    url: https://known.example\n    env_file: .env.production\n"
    )
    prof = load_profile(tmp_path / "launchready.yaml")
    store = CredentialStore.for_profile(prof)
    store.add(Credential("gh-token"), SECRET)
    (tmp_path / "tok.txt").write_text(SECRET)
    return prof, store


async def test_keyring_and_env_file_values_are_redacted_from_command_output(tmp_path):
    prof, store = make_profile(tmp_path)
    seen: list[str] = []
    ctx = CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir), credentials=store,
                       options=RunOptions(yes=True, output_cb=lambda k, line: seen.append(line)))
    block = Command("show", f"cat tok.txt; echo; cat tok.txt | base64; echo pw={DB_PW}", 1)
    r = await command.run_block(ctx, block)
    await ctx.net.aclose()
    assert r.status.value == "pass", r.summary
    assert seen == ["[redacted:gh-token]", "[redacted:gh-token]", "pw=[redacted:env-file]"]
    dumped = json.dumps(r.to_dict())
    assert SECRET not in dumped and DB_PW not in dumped and "Planted" not in dumped


async def test_known_secrets_survive_a_locked_keyring(tmp_path, _memory_keyring):
    prof, store = make_profile(tmp_path)
    _memory_keyring.locked = True
    ctx = CheckContext(prof, Net(net_config(prof)), credentials=store)
    assert command.known_secrets(ctx) == [("env-file", DB_PW), ("env-file", f"postgres://app:{DB_PW}@db/app")]


def test_incident_note_rendered_for_a_profile_is_redacted(tmp_path, monkeypatch):
    from launchready_tui.core import export, incidents

    prof, _ = make_profile(tmp_path)
    log = incidents.IncidentLog.start(StateStore(prof.state_dir), "site-down", title="Down", who="Ana")
    log.note(f"token {SECRET} and pw {DB_PW}")
    path = log.end(profile=prof)
    text = path.read_text()
    assert "token [redacted]" in text or "token \\[redacted\\]" in text
    assert SECRET not in text and DB_PW not in text
    # the built-in layout (no export renderer) is redacted too
    monkeypatch.delattr(export, "render_incident_note")
    plain = incidents.render_note(log.get(), profile=prof)
    assert "token [redacted] and pw [redacted]" in plain and SECRET not in plain
