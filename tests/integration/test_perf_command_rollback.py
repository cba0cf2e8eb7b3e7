"""command: the rollback verdict (pass, fail, timeout, over budget, smoke afterwards),
confirmation, redaction of keyring secrets, and runbook command blocks via the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from launchready_tui.core.checks import command
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.net import Net
from launchready_tui.core.profile import load_profile, net_config
from launchready_tui.core.state import StateStore
from launchready_tui.lab import Lab, Rule, Site, World

pytestmark = pytest.mark.integration
D = "perf.test"
APP = f"app.{D}"
SECRET = "vercel_tok_9f8e7d6c5b4a39281706"


def make_lab(tmp_path, deploy: dict, healthy: bool = True) -> Lab:
    site = Site(paths={"/health": Rule(body="ok" if healthy else "down", status=200 if healthy else 503)})
    w = World(records=[(APP, "A", "127.0.0.1")], sites={APP: site},
              profile={"project": "T", "domain": D, "hosts": {"app": APP}, "deploy": deploy})
    return Lab(w, tmp_path / "lab")


def context(lab, yes=True, **kw):
    prof = load_profile(lab.profile_path)
    return CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir),
                        options=RunOptions(yes=yes, **kw))


SMOKE = [f"https://{APP}/health", {"url": f"https://{APP}/health", "contains": "ok"}]


async def test_rollback_passes_within_budget_with_smoke(tmp_path):
    lines = []
    deploy = {"rollback": "echo 'rolling back'; sleep 0.2; echo done", "smoke": SMOKE}
    with make_lab(tmp_path, deploy) as lab:
        ctx = context(lab, output_cb=lambda key, line: lines.append((key, line)))
        r = await command.check(ctx, "deploy.rollback", {"rollback": True})
    assert r.status.value == "pass", r.summary
    assert "within the 10-minute budget" in r.summary and "2 smoke check(s) passed" in r.summary
    ev = r.evidence
    assert ev["exit_status"] == 0 and ev["duration_s"] >= 0.2 and ev["output_tail"] == ["rolling back", "done"]
    assert ev["budget_min"] == 10 and [s["status"] for s in ev["smoke"]] == ["pass", "pass"]
    assert lines == [("deploy.rollback", "rolling back"), ("deploy.rollback", "done")]


async def test_rollback_that_fails(tmp_path):
    deploy = {"rollback": "echo 'Error: not logged in' >&2; exit 2", "smoke": SMOKE}
    with make_lab(tmp_path, deploy) as lab:
        r = await command.check(context(lab), "deploy.rollback", {"rollback": True})
    assert r.status.value == "fail" and "exit status 2" in r.summary
    assert r.evidence["output_tail"] == ["Error: not logged in"]
    assert "smoke" not in r.evidence  # no point checking the site when the rollback failed
    assert r.why and r.fix


async def test_rollback_that_times_out(tmp_path):
    deploy = {"rollback": "echo waiting; sleep 30", "timeout_s": 0.8, "smoke": SMOKE}
    with make_lab(tmp_path, deploy) as lab:
        r = await command.check(context(lab), "deploy.rollback", {"rollback": True})
    assert r.status.value == "fail" and "did not finish within" in r.summary
    assert r.evidence["timed_out"] is True and r.evidence["exit_status"] is None
    assert r.evidence["output_tail"] == ["waiting"]


async def test_rollback_over_budget_and_smoke_failing_and_no_smoke(tmp_path):
    with make_lab(tmp_path, {"rollback": "sleep 0.5", "rollback_budget_min": 0.005, "smoke": SMOKE}) as lab:
        slow = await command.check(context(lab), "deploy.rollback", {"rollback": True})
    assert slow.status.value == "fail" and "over the 0.005-minute budget" in slow.summary
    with make_lab(tmp_path, {"rollback": "true", "smoke": SMOKE}, healthy=False) as lab:
        broken = await command.check(context(lab), "deploy.rollback", {"rollback": True})
    assert broken.status.value == "fail" and "smoke check(s) failed" in broken.summary
    with make_lab(tmp_path, {"rollback": "true"}) as lab:
        nosmoke = await command.check(context(lab), "deploy.rollback", {"rollback": True})
    assert nosmoke.status.value == "warn" and "deploy.smoke" in nosmoke.fix


async def test_needs_confirmation(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    with make_lab(tmp_path, {"rollback": f"touch {marker}"}) as lab:
        r = await command.check(context(lab, yes=False), "deploy.rollback", {"rollback": True})
    assert r.status.value == "skip" and "needs confirmation" in r.summary
    assert not marker.exists()


async def test_keyring_secret_in_env_is_redacted(tmp_path):
    class Store:
        def get_secret(self, cid):
            return SECRET if cid == "vercel" else None

    seen = []
    deploy = {"rollback": 'echo "using $VERCEL_TOKEN"; echo "$VERCEL_TOKEN" | base64', "smoke": SMOKE}
    with make_lab(tmp_path, deploy) as lab:
        ctx = context(lab, output_cb=lambda k, line: seen.append(line))
        missing = await command.check(ctx, "deploy.rollback", {"rollback": True, "env": {"VERCEL_TOKEN": "vercel"}})
        ctx.credentials = Store()
        r = await command.check(ctx, "deploy.rollback", {"rollback": True, "env": {"VERCEL_TOKEN": "vercel"}})
    assert missing.status.value == "skip" and "credentials not available" in missing.summary
    assert r.status.value == "pass", r.summary
    dumped = json.dumps(r.to_dict())
    assert SECRET not in dumped and SECRET not in " ".join(seen)
    assert r.evidence["output_tail"][0] == "using [redacted:VERCEL_TOKEN]"
    assert r.evidence["secret_env"] == ["VERCEL_TOKEN"]


def test_command_block_through_the_cli(tmp_path):
    rb = tmp_path / "rb"
    rb.mkdir()
    marker = tmp_path / "deployed.txt"
    (rb / "deploy.md").write_text(
        "---\nid: ship\ntitle: Ship\nstage: 7\ngoal: ship\nsummary: ship\n---\n\n"
        "## Deploy {#deploy}\n\n```command\nrun: echo shipped > " + str(marker) + "\nid: go\n```\n\n"
        "```check\nkind: command\nblock: go\n```\n",
        encoding="utf-8",
    )
    with make_lab(tmp_path, {"rollback": "true"}) as lab:
        def run(*extra):
            return subprocess.run(
                [sys.executable, "-m", "launchready_tui", "check", "--profile", str(lab.profile_path),
                 "--runbooks", str(rb), "--format", "json", *extra],
                capture_output=True, text=True, timeout=60)

        no = run()
        assert not marker.exists()
        whole = run("--yes")  # issue 13: a whole-profile --yes never runs a command
        assert not marker.exists()
        yes = run("--runbook", "ship", "--step", "deploy", "--yes")
    r_no = [r for r in json.loads(no.stdout)["results"] if r["check"] == "command"][0]
    r_whole = [r for r in json.loads(whole.stdout)["results"] if r["check"] == "command"][0]
    r_yes = [r for r in json.loads(yes.stdout)["results"] if r["check"] == "command"][0]
    assert r_no["status"] == "skip" and "launchready check --runbook ship --step deploy --yes" in r_no["summary"]
    assert r_whole["status"] == "skip" and "--runbook ship --step deploy --yes" in r_whole["summary"]
    assert r_yes["status"] == "pass", r_yes
    assert marker.read_text().strip() == "shipped"
    assert r_yes["evidence"]["exit_status"] == 0


async def test_runbook_rollback_block_gets_the_rollback_verdict(tmp_path):
    from launchready_tui.core.runbook import Command

    block = Command("rollback", '"{{ deploy.rollback }}"'.strip('"'), 1, "Roll back", 900.0, 10.0)
    other = Command("notify", "echo told the team", 2)
    deploy = {"rollback": "echo back", "rollback_budget_min": 5, "smoke": SMOKE}
    with make_lab(tmp_path, deploy) as lab:
        ctx = context(lab)
        rb = await command.run_block(ctx, block)
        plain = await command.run_block(ctx, other)
        unconfirmed = await command.run_block(context(lab, yes=False), block)
    assert rb.status.value == "pass", rb.summary
    assert rb.target == "block:rollback" and rb.evidence["budget_min"] == 5  # the profile's budget
    assert [s["status"] for s in rb.evidence["smoke"]] == ["pass", "pass"]
    assert plain.status.value == "pass" and "smoke" not in plain.evidence
    assert plain.evidence["output_tail"] == ["told the team"]
    assert unconfirmed.status.value == "skip" and "needs confirmation" in unconfirmed.summary
