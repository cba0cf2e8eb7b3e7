"""The real CLI against the real local lab: DNS server + HTTPS server on loopback."""

import json
import socket
from pathlib import Path

import pytest

from launchready_tui.lab import Lab, Rule, Site, World
from tests.conftest import run_cli

pytestmark = pytest.mark.integration
RB = str(Path(__file__).parent / "runbooks_foundation")
D = "lab.test"


def world() -> World:
    w = World(profile={"project": "Lab Test", "domain": D, "hosts": {"app": f"app.{D}", "gone": f"gone.{D}", "broken": f"broken.{D}"}})
    w.records += [(D, "A", "127.0.0.1"), (f"www.{D}", "CNAME", f"{D}."), (f"app.{D}", "A", "127.0.0.1")]
    w.faults[f"broken.{D}"] = "servfail"
    w.sites[D] = Site()
    w.sites[f"app.{D}"] = Site(paths={"/down": Rule(status=503, body="down")})
    w.profile["monitor"] = [f"https://{D}/", f"https://app.{D}/down", f"https://gone.{D}/"]
    return w


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with Lab(world(), tmp_path_factory.mktemp("lab"), timeout_s=2) as lab:
        yield lab


def results(proc):
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    return doc, {(r["check"], r["target"]): r for r in doc["results"]}


def test_check_json_against_lab(lab):
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", RB, "--format", "json")
    doc, by = results(proc)
    assert proc.returncode == 1
    assert by[("dns", D)]["status"] == "pass"
    assert by[("dns", D)]["evidence"]["a"] == ["127.0.0.1"]
    gone = by[("dns", f"gone.{D}")]
    assert gone["status"] == "fail" and "NXDOMAIN" in gone["summary"] and gone["fix"]
    broken = by[("dns", f"broken.{D}")]
    assert broken["status"] == "error" and "SERVFAIL" in broken["summary"]
    assert lab.dns.address in broken["summary"], "the failing resolver is named"
    assert by[("uptime", f"https://{D}/")]["status"] == "pass"
    assert by[("uptime", f"https://app.{D}/down")]["status"] == "fail"
    assert by[("uptime", f"https://app.{D}/down")]["evidence"]["status"] == 503
    assert by[("uptime", f"https://gone.{D}/")]["status"] == "fail"
    assert by[("dns", f"www.{D}")]["status"] == "pass", "www is always covered"
    assert doc["counts"]["pass"] == 4
    assert "Traceback" not in proc.stderr
    # state was saved beside the profile, with history
    state = json.loads((lab.dir / ".launchready" / "state.json").read_text())
    assert any(k.startswith("audit/dns/dns@") for k in state["results"])
    assert (lab.dir / ".launchready" / "history.jsonl").read_text().strip()


def test_step_selection_and_text_and_junit(lab, tmp_path):
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", RB, "--runbook", "audit", "--step", "uptime")
    assert proc.returncode == 1
    assert "How to fix" in proc.stdout and "[dns]" not in proc.stdout
    out = tmp_path / "r.xml"
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", RB, "--format", "junit", "--output", str(out), "--stage", "1")
    assert proc.returncode == 1 and proc.stdout == ""
    assert out.read_text().count("<testcase") == 8


def _dead_udp_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_nameserver_that_never_answers_is_error_not_fail(lab):
    port = _dead_udp_port()
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", RB, "--step", "dns", "--runbook", "audit",
                   "--format", "json", "--nameserver", f"127.0.0.1:{port}", "--timeout", "0.5", timeout=60)
    doc, by = results(proc)
    assert {r["status"] for r in doc["results"]} == {"error"}
    assert all("timeout" in r["summary"] for r in doc["results"])


def test_connection_refused_is_error(lab):
    port = _dead_udp_port()
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", RB, "--runbook", "audit", "--step", "uptime",
                   "--format", "json", "--connect-to", f":443::{port}")
    doc, by = results(proc)
    r = by[("uptime", f"https://{D}/")]
    assert r["status"] == "error" and "refused" in r["summary"]


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--connect-to", "nonsense"], "--connect-to"),
        (["--nameserver", "dns.google"], "--nameserver"),
        (["--runbook", "nope"], "no runbook 'nope'"),
        (["--stage", "9"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_without_traceback(lab, args, needle):
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", RB, *args)
    assert proc.returncode == 2
    assert needle in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "content,needle",
    [
        (None, "no profile here"),
        ("project: X\ndomain: [\n", "not valid YAML"),
        ("project: X\ndomain: x.example\nnetwork: {timeout_s: soon}\n", "network.timeout_s"),
    ],
)
def test_bad_profile_exit_2(tmp_path, content, needle):
    p = tmp_path / "launchready.yaml"
    if content is not None:
        p.write_text(content)
    proc = run_cli("check", "--profile", str(p), "--runbooks", RB)
    assert proc.returncode == 2, proc.stdout
    assert needle in proc.stderr and str(p) in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_profile_key_warns(tmp_path):
    p = tmp_path / "launchready.yaml"
    p.write_text("project: X\ndomain: x.example\nmonitr: []\nnetwork: {nameservers: ['127.0.0.1:9'], timeout_s: 0.2}\n")
    proc = run_cli("check", "--profile", str(p), "--runbooks", RB, "--step", "uptime", "--runbook", "audit")
    assert "did you mean 'monitor'" in proc.stderr and ":3:" in proc.stderr
    assert "fill in `monitor`" in proc.stdout  # the uptime check skips, naming the key


def test_bad_runbook_exit_2_and_lint(tmp_path):
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "bad.md").write_text("---\nid: bad\ntitle: B\nstage: 1\ngoal: g\nsummary: s\n---\n## S\n```check\nkind: dnz\n```\n\n## T\n```check\nkind: dns\ntargets: [\"{{ nope }}\"]\n```\n")
    (tmp_path / "launchready.yaml").write_text("project: X\ndomain: x.example\n")
    proc = run_cli("check", "--profile", str(tmp_path / "launchready.yaml"), "--runbooks", str(rb))
    assert proc.returncode == 2 and "bad.md:9" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("lint", str(rb), str(tmp_path / "launchready.yaml"))
    assert proc.returncode == 2
    assert "bad.md:9: kind: unknown check kind 'dnz'" in proc.stdout
    assert "unknown template variable" in proc.stdout
    proc = run_cli("lint", RB)
    assert proc.returncode == 0 and "no problems" in proc.stdout


def test_runbooks_and_version(cli):
    proc = run_cli("runbooks", "--runbooks", RB, "--steps")
    assert proc.returncode == 0 and "1. Quick audit (test copy)" in proc.stdout and "- dns: Hosts resolve" in proc.stdout
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("launchready ")


def test_demo_headless_runs_offline():
    proc = run_cli("demo", "--no-tui", "--runbooks", RB, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "✓ pass" in proc.stdout and "✗ FAIL" in proc.stdout


def test_command_blocks_run_only_with_yes(tmp_path):
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "ops.md").write_text(
        "---\nid: ops\ntitle: Ops\nstage: 2\ngoal: g\nsummary: s\n---\n"
        "## Roll back {#rollback}\n```command\nrun: echo rolled-back-ok\nid: rb\n```\n"
    )
    (tmp_path / "launchready.yaml").write_text("project: X\ndomain: x.example\n")
    args = ("check", "--profile", str(tmp_path / "launchready.yaml"), "--runbooks", str(rb), "--format", "json")
    proc = run_cli(*args)
    doc = json.loads(proc.stdout)
    [r] = doc["results"]
    assert r["check"] == "command" and r["status"] == "skip" and "needs confirmation" in r["summary"]
    proc = run_cli(*args, "--yes")  # issue 13: a whole-profile --yes never runs a command
    [r] = json.loads(proc.stdout)["results"]
    assert r["status"] == "skip" and "launchready check --runbook ops --step rollback --yes" in r["summary"]
    proc = run_cli(*args, "--runbook", "ops", "--step", "rollback", "--yes")
    doc = json.loads(proc.stdout)
    [r] = doc["results"]
    assert r["status"] == "pass", r
    assert proc.returncode == 0
