"""Hostile peers and odd output for the kinds of issues 17-19, over real sockets on
127.0.0.1 (the lab's HTTPS and bare TCP servers): account APIs that never answer, drip,
send endless, 50 MB or gzip-bomb bodies, and assistants that hang up; and `--format
sarif` fed results of odd shapes, validated against the SARIF 2.1.0 schema. Every case
ends within its check's deadline as a clear `error`, with no token anywhere but its API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchready_tui.core.profile import parse_profile
from launchready_tui.core.results import errored, failed, warned
from launchready_tui.core.sarif import render_sarif
from tests.integration.test_sarif import sarif_schema  # noqa: F401 - the schema fixture

pytestmark = pytest.mark.integration

SECRET = "sk_" + "live_" + "51Hostile" + "Q7xZ9kP2mN4vB8cR1tY6"


# ------------------------------------------------------------------- SARIF


def sarif_of(results, tmp_path: Path) -> dict:
    (tmp_path / "launchready.yaml").write_text("project: T\ndomain: acme.example\n", encoding="utf-8")
    prof = parse_profile((tmp_path / "launchready.yaml").read_text(), str(tmp_path / "launchready.yaml"))
    return json.loads(render_sarif(results, prof, repo=tmp_path))


def odd_results():
    def res(findings):
        return failed("deploy_config", ".", "gaps", why="w", fix="f", evidence={"findings": findings})
    return [
        res({"file": "a.yml"}),  # findings not a list
        res("a string"),
        res([{"file": "a.yml", "line": "twelve", "title": "t", "severity": "fail"}]),
        res([{"file": "a.yml", "line": "12", "title": ["a", "list"], "severity": 3}]),
        res([{"file": "a.yml", "line": [1], "fix": {"a": 1}}]),
        res([{"file": "a.yml", "line": -4}, {"file": "a.yml", "line": 10 ** 30}, {"file": "a.yml", "line": 2.5}]),
        res([{"file": "/etc/passwd", "line": 1}, {"file": "../../outside/x.js", "line": 2}]),
        res([{"file": "dir with space/#hash%.js", "line": 3}, {"file": ["x"], "line": 1}, {"file": 7, "line": 1}]),
        res([{"file": "src/app.js", "line": 1, "fingerprint": {"v": 1}, "rule": None, "id": ["x"]}]),
        warned("secrets", "code", "1 secret", why="w", fix="f", evidence={"findings": [
            {"file": "src/pay.js", "line": 2, "rule": "stripe-secret", "title": "Stripe key", "fingerprint": "sk_l:ab12"}]}),
        errored("monitors", "uptimerobot", "UptimeRobot answered in a shape its API does not document"),
    ]


def test_sarif_of_odd_findings_is_valid_and_stays_in_the_repository(tmp_path, sarif_schema):  # noqa: F811
    import jsonschema

    doc = sarif_of(odd_results(), tmp_path)
    jsonschema.validate(doc, sarif_schema)
    res = doc["runs"][0]["results"]
    for r in res:
        for loc in r["locations"]:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith("/") and ".." not in uri.split("/"), uri
            assert " " not in uri and "#" not in uri, uri
            line = loc["physicalLocation"].get("region", {}).get("startLine", 1)
            assert isinstance(line, int) and 1 <= line < 2 ** 31
        assert isinstance(r["message"]["text"], str)


def test_sarif_never_carries_a_secret_from_odd_evidence(tmp_path, sarif_schema):  # noqa: F811
    import jsonschema

    r = failed("secrets", "code", "1 secret", why="w", fix="f", evidence={"findings": [
        {"file": "src/pay.js", "line": 2, "rule": "stripe-secret", "title": "Stripe key", "fingerprint": "sk_l:ab12",
         "value": SECRET, "excerpt": f"const k = '{SECRET}'", "match": SECRET}]})
    out = json.dumps(sarif_of([r], tmp_path))
    jsonschema.validate(json.loads(out), sarif_schema)
    assert SECRET not in out


# ------------------------------------------------------------------- account APIs on the wire

import asyncio  # noqa: E402
import gzip  # noqa: E402
import time  # noqa: E402

from launchready_tui.core.checks import ai_probe, cloudflare_zone, error_tracking, monitors  # noqa: E402
from launchready_tui.core.context import CheckContext  # noqa: E402
from launchready_tui.core.net import Net  # noqa: E402
from launchready_tui.core.profile import load_profile, net_config  # noqa: E402
from launchready_tui.lab import Lab, Rule, Site, World  # noqa: E402
from launchready_tui.lab.web import Response  # noqa: E402
from tests.integration.test_edge_support import RawServers, drip, hang, huge_body  # noqa: E402

D = "acme-hostile.test"
TOKENS = {"cf": "cf-" + "tok-" + "WIRE0123456789abcd", "bs": "bs-" + "Wire9Qw8Er7Ty6Ui5Op",
          "se": "sntryu_" + "ffeeddccbbaa99887766554433221100"}
TIMEOUT_S = 1.0
CF_H, BS_H, SE_H = "api.cloudflare.hostile.test", "uptime.betterstack.hostile.test", "sentry.hostile.test"


class Store:
    def get_secret(self, cid):
        return TOKENS.get(cid)


def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)


def _rule(name: str, bomb: bytes) -> Rule:
    if name == "50 MB":
        return Rule(handler=lambda req: Response(200, [("Content-Type", "application/json")],
                                                 b'{"a": "' + b"x" * (50 * 1024 * 1024) + b'"}'))
    if name == "gzip bomb":
        return Rule(handler=lambda req: Response(200, [("Content-Type", "application/json"),
                                                       ("Content-Encoding", "gzip")], bomb))
    if name == "HTML":
        return Rule(handler=lambda req: Response(200, [("Content-Type", "text/html")],
                                                 "<!doctype html><title>Login</title><p>Sign in"))
    if name == "429 for days":
        return Rule(handler=lambda req: Response(429, [("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT")], ""))
    if name == "503 with the token":
        return Rule(handler=lambda req: Response(503, [("Content-Type", "text/plain")],
                                                 "upstream failed for " + req.headers.get("authorization", "")))
    raise AssertionError(name)


def _world(sites) -> World:
    return World(records=[(h, "A", "127.0.0.1") for h in (D, CF_H, BS_H, SE_H)], sites=sites, profile={
        "project": "T", "domain": D, "monitor": [f"https://{D}/"],
        "cloudflare": {"zone": D, "credential": "cf", "api_base": f"https://{CF_H}/client/v4"},
        "monitoring": {"provider": "betterstack", "credential": "bs", "api_base": f"https://{BS_H}/api/v2"},
        "error_tracking": {"organization": "acme", "project": "web", "credential": "se",
                           "api_base": f"https://{SE_H}/api/0"}})


async def _all_three(prof) -> tuple[list, float]:
    ctx = CheckContext(prof, Net(net_config(prof)), state=None, credentials=Store())
    t0 = time.monotonic()
    rs = await asyncio.wait_for(asyncio.gather(
        cloudflare_zone.check(ctx, D, {}), monitors.check(ctx, "betterstack", {}),
        error_tracking.check(ctx, "acme/web", {})), 120)
    return list(rs), time.monotonic() - t0


def _assert_clear_errors(rs, took, what):
    names = ("cloudflare", "better", "sentry")
    for r, kind, name in zip(rs, (cloudflare_zone, monitors, error_tracking), names, strict=True):
        assert r.status.value == "error", (what, r.check, r.summary)
        assert name in r.summary.lower() or "hostile.test" in r.summary, (what, r.summary)
        assert not r.summary.startswith("the check stopped"), (what, r.summary)
        assert took < kind.deadline({}, TIMEOUT_S), (what, r.check, took)
    blob = json.dumps([r.to_dict() for r in rs])
    for t in TOKENS.values():
        assert t not in blob, what


@pytest.mark.parametrize("what", ["50 MB", "gzip bomb", "HTML", "429 for days", "503 with the token"])
async def test_account_apis_answering_badly_over_https_are_clear_errors(tmp_path, what):
    rule = _rule(what, _gzip_bomb() if what == "gzip bomb" else b"")
    with Lab(_world({h: Site(default=rule) for h in (CF_H, BS_H, SE_H)}), tmp_path / "lab",
             timeout_s=TIMEOUT_S) as lab:
        rs, took = await _all_three(load_profile(lab.profile_path))
    _assert_clear_errors(rs, took, what)
    assert took < 15, (what, took)


@pytest.mark.parametrize("what", ["never answers", "drips bytes", "endless body"])
async def test_account_apis_that_stall_or_never_end_are_bounded_errors(tmp_path, what):
    raw = RawServers()
    make = {"never answers": hang, "drips bytes": drip, "endless body": huge_body}[what]
    try:
        for h in (CF_H, BS_H, SE_H):
            raw.add(h, make)
        with Lab(_world({}), tmp_path / "lab", timeout_s=TIMEOUT_S) as lab:
            lab.write_profile({"network": {**lab.network(), "connect_to": raw.rules}})
            text = lab.profile_path.read_text().replace("https://", "http://")
            lab.profile_path.write_text(text)
            rs, took = await _all_three(load_profile(lab.profile_path))
    finally:
        raw.close()
    _assert_clear_errors(rs, took, what)
    assert took < 15, (what, took)


# ------------------------------------------------------------------- AI endpoint that hangs up


async def test_ai_endpoint_that_closes_every_connection_is_error(tmp_path):
    def slam(stop):
        def behave(c):
            c.settimeout(2)
            c.recv(65536)  # read the request, then hang up without a word
        return behave

    raw = RawServers()
    staging = f"staging.{D}"
    try:
        raw.add(staging, slam)
        w = World(records=[(D, "A", "127.0.0.1"), (staging, "A", "127.0.0.1")], profile={
            "project": "T", "domain": D, "ai_endpoints": [{"url": f"http://{staging}/api/ai", "format": "openai",
                                                          "environment": "staging", "max_cases": 4}]})
        with Lab(w, tmp_path / "lab", timeout_s=TIMEOUT_S) as lab:
            lab.write_profile({"network": {**lab.network(), "connect_to": raw.rules}})
            prof = load_profile(lab.profile_path)
            ctx = CheckContext(prof, Net(net_config(prof)), state=None, credentials=Store())
            r = await asyncio.wait_for(ai_probe.check(ctx, f"http://{staging}/api/ai", {}), 60)
    finally:
        raw.close()
    assert r.status.value == "error", r.summary
    assert r.evidence["counts"]["pass"] == 0
