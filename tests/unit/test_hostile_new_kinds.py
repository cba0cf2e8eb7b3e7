"""Hostile and malformed input for the kinds and commands of issues 17-19 (accounts,
deploy_config, ci init, scan-secrets, SARIF, ai_probe): every bad answer or file ends
in a clear message naming what was wrong (status `error` when it could not be
checked), never a traceback, a hang, a pass or a secret in the output."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from launchready_tui.core.checks import cloudflare_dns, cloudflare_zone, error_tracking, monitors
from launchready_tui.core.context import CheckContext
from launchready_tui.core.net import FetchResult
from launchready_tui.core.profile import parse_profile
from launchready_tui.lab import providers as pv

D = "acme.example"
TOK = {"cf": "cf-" + "tok-" + "HOSTILE0123456789", "ur": "ur" + "9876543-" + "feedfacefeedface",
       "bs": "bs-" + "Qq1Ww2Ee3Rr4Tt5Yy6", "se": "sntryu_" + "00112233445566778899aabbccddeeff"}
CF = "https://api.cloudflare.com/client/v4"


class Store:
    def get_secret(self, cid):
        return TOK.get(cid)


class _Ans:
    rcode = "NOERROR"


class _Resolver:
    async def query(self, name, rtype):
        return _Ans()


class FakeNet:
    """Answers every request from `handler(url, method, body) -> (status, headers, body)`;
    records where each request went and what it carried."""

    timeout_s = 0.5

    def __init__(self, handler):
        self.handler, self.sent = handler, []
        self.resolver = _Resolver()
        self.credential_scope = None

    async def fetch(self, url, *, method="GET", headers=None, content=None, max_bytes=0, **kw):
        self.sent.append((url, dict(headers or {}), content or b""))
        status, hdrs, body = self.handler(url, method, content or b"")
        if isinstance(body, (dict, list)) or body is None:
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        trunc = bool(max_bytes) and len(body) > max_bytes
        return FetchResult(url=url, status=status, headers=list(hdrs), body=body[:max_bytes] if trunc else body,
                           truncated=trunc, elapsed_ms=1.0)


PROFILE = f"""project: T
domain: {D}
monitor: ["https://{D}/"]
cloudflare: {{zone: {D}, credential: cf}}
monitoring: {{provider: PROVIDER, credential: CRED}}
error_tracking: {{organization: acme, project: web, credential: se}}
"""


def ctx_for(handler, provider="uptimerobot"):
    prof = parse_profile(PROFILE.replace("PROVIDER", provider).replace("CRED", "ur" if provider == "uptimerobot"
                                                                          else "bs"))
    net = FakeNet(handler)
    return CheckContext(prof, net, state=None, credentials=Store()), net


def cf_env(result, info=None):
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if info is not None:
        body["result_info"] = info
    return 200, [], body


ZONE = [{"id": "z1", "name": D, "plan": {"legacy_id": "free", "name": "Free"}}]


def cf_handler(**over):
    """A healthy Cloudflare API whose answers for some paths are replaced: key = a word
    in the path (zones, settings, entrypoint, bot_management, dns_records)."""
    def h(url, method, body):
        for word, ans in over.items():
            if f"/{word}" in url.split("?")[0] or (word == "zones" and url.split("?")[0].endswith("/zones")):
                return ans(url) if callable(ans) else ans
        path = url.split("?")[0]
        if path.endswith("/zones"):
            return cf_env(ZONE)
        if path.endswith("/settings"):
            return cf_env(pv.cloudflare_settings())
        if path.endswith("/entrypoint"):
            return cf_env({"rules": [{"action": "execute", "action_parameters": {"id": pv.CF_FREE_MANAGED}}]})
        if path.endswith("/bot_management"):
            return cf_env({"fight_mode": True})
        if path.endswith("/dns_records"):
            return cf_env([pv.cf_record(D, "A", "198.51.100.7", True)], {"total_pages": 1})
        return 404, [], {"success": False}
    return h


def no_secret(*results):
    blob = json.dumps([r.to_dict() for r in results])
    for t in TOK.values():
        assert t not in blob
    return blob


def run(coro, limit=30.0):
    """Every check here is bounded: a hang fails the test instead of blocking it."""
    async def bounded():
        return await asyncio.wait_for(coro, limit)
    return asyncio.run(bounded())


# ------------------------------------------------------------------- Cloudflare shapes


@pytest.mark.parametrize("name,over", [
    ("zones as a dict", {"zones": cf_env({"id": "z1"})}),
    ("zones result null", {"zones": cf_env(None)}),
    ("settings result null", {"settings": (200, [], {"success": True, "result": None, "errors": []})}),
    ("zones as strings", {"zones": cf_env(["z1"])}),
    ("zones as a number", {"zones": cf_env(7)}),
    ("envelope a list", {"zones": (200, [], [1, 2])}),
    ("settings a dict", {"settings": cf_env({"ssl": "strict"})}),
    ("settings with a string security_header", {"settings": cf_env(
        [{"id": "ssl", "value": "strict"}, {"id": "security_header", "value": "on"}])}),
    ("hsts max_age many", {"settings": cf_env(
        [{"id": "security_header", "value": {"strict_transport_security": {"enabled": True, "max_age": "many"}}}])}),
    ("entrypoint result a list", {"entrypoint": cf_env([1, 2])}),
    ("entrypoint rules strings", {"entrypoint": cf_env({"rules": ["execute", None]})}),
    ("plan a string", {"zones": cf_env([{"id": "z1", "name": D, "plan": "free"}])}),
    ("deeply nested JSON", {"settings": (200, [], "[" * 100000 + "]" * 100000)}),
    ("HTML instead of JSON", {"settings": (200, [("Content-Type", "text/html")], "<html>oops</html>")}),
])
def test_cloudflare_zone_odd_shapes_are_a_clear_error(name, over):
    ctx, _ = ctx_for(cf_handler(**over))
    r = run(cloudflare_zone.check(ctx, D, {}))
    assert r.status.value == "error", (name, r.status, r.summary)
    assert "cloudflare" in r.summary.lower(), r.summary
    no_secret(r)


@pytest.mark.parametrize("name,info", [
    ("total_pages many", {"total_pages": "many"}),
    ("result_info a list", [1]),
    ("total_pages huge", {"total_pages": 10 ** 12}),
])
def test_cloudflare_dns_paging_odd_shapes_are_a_clear_error(name, info):
    ctx, net = ctx_for(cf_handler(dns_records=lambda url: cf_env([pv.cf_record(D, "A", "198.51.100.7", True)], info)))
    t0 = time.monotonic()
    r = run(cloudflare_dns.check(ctx, D, {}))
    assert r.status.value == "error", (name, r.summary)
    assert "cloudflare" in r.summary.lower()
    assert time.monotonic() - t0 < 5 and len(net.sent) <= 25
    no_secret(r)


def test_cloudflare_dns_records_of_odd_types_do_not_crash():
    recs = [None, "x", {"name": None, "type": "A", "content": {"a": 1}, "proxied": "no"},
            {"name": D, "type": "A", "content": "198.51.100.7", "proxied": True}]
    ctx, _ = ctx_for(cf_handler(dns_records=cf_env(recs, {"total_pages": 1})))
    r = run(cloudflare_dns.check(ctx, D, {}))
    assert r.status.value in ("pass", "warn", "fail", "error")
    assert not r.summary.startswith("the check stopped")


def test_a_429_asking_for_days_is_not_waited_for_and_says_so():
    for after in ("999999", "Wed, 21 Oct 2099 07:28:00 GMT"):
        ctx, net = ctx_for(lambda url, m, b, after=after: (429, [("Retry-After", after)], {"success": False}))
        t0 = time.monotonic()
        r = run(cloudflare_zone.check(ctx, D, {}))
        assert time.monotonic() - t0 < 3, after
        assert r.status.value == "error" and "429" in r.summary and "api.cloudflare.com" in r.summary
        assert len(net.sent) == 1


def test_a_short_retry_after_date_is_honoured():
    import email.utils

    calls = []

    def h(url, m, b):
        calls.append(url)
        if len(calls) == 1:
            return 429, [("Retry-After", email.utils.formatdate(time.time() + 1, usegmt=True))], {}
        return cf_handler()(url, m, b)

    ctx, _ = ctx_for(h)
    r = run(cloudflare_zone.check(ctx, D, {}))
    assert r.status.value == "pass", r.summary


# ------------------------------------------------------------------- UptimeRobot


def ur(monitors_=None, **top):
    body = {"stat": "ok", "pagination": {"offset": 0, "limit": 50, "total": 1},
            "monitors": monitors_ if monitors_ is not None else [pv.ur_monitor(1, "Home", f"https://{D}/")]}
    body.update(top)
    return lambda url, m, b: (200, [], body)


@pytest.mark.parametrize("name,handler", [
    ("monitors a dict", ur({"1": {"url": "x"}})),
    ("monitor a string", ur(["https://acme.example/"])),
    ("status a word", ur([{**pv.ur_monitor(1, "Home", f"https://{D}/"), "status": "up"}])),
    ("interval a word", ur([{**pv.ur_monitor(1, "Home", f"https://{D}/"), "interval": "fast"}])),
    ("contacts not dicts", ur([{**pv.ur_monitor(1, "Home", f"https://{D}/"), "alert_contacts": [3, "x"]}])),
    ("total many", ur(pagination={"total": "many"})),
    ("pagination a list", ur(pagination=[1])),
    ("error a string", lambda url, m, b: (200, [], {"stat": "fail", "error": "bad"})),
    ("not JSON", lambda url, m, b: (200, [], "<html>maintenance</html>")),
])
def test_uptimerobot_odd_shapes_are_a_clear_error_or_a_verdict(name, handler):
    ctx, _ = ctx_for(handler)
    r = run(monitors.check(ctx, "uptimerobot", {}))
    assert not r.summary.startswith("the check stopped"), (name, r.summary)
    if r.status.value == "error":
        assert "uptimerobot" in r.summary.lower() or "api.uptimerobot.com" in r.summary, (name, r.summary)
    no_secret(r)


def test_uptimerobot_null_or_negative_interval_is_not_a_pass():
    for interval in (None, -60, 10 ** 12):
        ctx, _ = ctx_for(ur([{**pv.ur_monitor(1, "Home", f"https://{D}/"), "interval": interval}]))
        r = run(monitors.check(ctx, "uptimerobot", {}))
        if interval == 10 ** 12:
            assert r.status.value == "warn" and "slow-interval" in json.dumps(r.evidence), r.summary
        else:
            assert r.status.value != "pass" or "unknown" in json.dumps(r.evidence).lower(), (interval, r.summary)
            assert "-60" not in r.summary


def test_uptimerobot_total_without_end_stops_at_the_cap_and_says_so():
    ctx, net = ctx_for(ur(pagination={"total": 10 ** 9}))
    r = run(monitors.check(ctx, "uptimerobot", {}))
    assert r.status.value == "error" and "UptimeRobot" in r.summary and len(net.sent) <= 21


def test_uptimerobot_echoed_key_never_shown_on_any_path():
    key = TOK["ur"]
    bodies = [
        (200, [], {"stat": "fail", "error": {"type": "invalid_parameter", "parameter_name": "api_key",
                                             "passed_value": key, "message": f"api_key {key} is wrong"}}),
        (200, [], {"stat": "fail", "error": {"type": "internal", "message": f"key {key}"}}),
        (500, [], f"Internal error for {key}"),
        (401, [], f"bad key {key}"),
        (200, [], f"<html>{key}</html>"),
        (200, [], {"stat": "ok", "pagination": {"total": "x" + key}, "monitors": [{"url": key, "status": key}]}),
    ]
    for ans in bodies:
        ctx, net = ctx_for(lambda url, m, b, ans=ans: ans)
        r = run(monitors.check(ctx, "uptimerobot", {}))
        assert not r.summary.startswith("the check stopped"), r.summary
        no_secret(r)
        assert all(key not in u for u, _h, _b in net.sent)  # the key is in the form body, never the URL


# ------------------------------------------------------------------- Better Stack


def bs_page(data, nxt=None):
    return {"data": data, "pagination": {"next": nxt}}


def test_better_stack_next_looping_back_to_page_one_is_an_error_not_a_pass():
    def h(url, m, b):
        return 200, [], bs_page([pv.bs_monitor(1, "Home", f"https://{D}/")],
                                "https://uptime.betterstack.com/api/v2/monitors?page=1")
    ctx, net = ctx_for(h, provider="betterstack")
    r = run(monitors.check(ctx, "betterstack", {}))
    assert r.status.value == "error" and "Better Stack" in r.summary and "loop" in r.summary, r.summary
    assert len(net.sent) <= 3


def test_better_stack_next_on_another_host_is_not_followed_and_not_a_pass():
    def h(url, m, b):
        return 200, [], bs_page([pv.bs_monitor(1, "Home", f"https://{D}/")], "https://evil.example/api/v2/monitors?page=2")
    ctx, net = ctx_for(h, provider="betterstack")
    r = run(monitors.check(ctx, "betterstack", {}))
    assert all(u.startswith("https://uptime.betterstack.com/") for u, _h, _b in net.sent)
    assert r.status.value == "error" and "evil.example" in r.summary, r.summary


@pytest.mark.parametrize("name,body", [
    ("data a dict", {"data": {"id": 1}}),
    ("data strings", {"data": ["x", None]}),
    ("attributes a list", {"data": [{"attributes": [1]}]}),
    ("frequency a word", {"data": [{"attributes": {"url": f"https://{D}/", "check_frequency": "often",
                                                   "status": "up", "email": True}}]}),
    ("pagination a string", {"data": [], "pagination": "next"}),
    ("envelope a list", [1, 2, 3]),
])
def test_better_stack_odd_shapes_are_a_clear_error_or_a_verdict(name, body):
    ctx, _ = ctx_for(lambda url, m, b: (200, [], body), provider="betterstack")
    r = run(monitors.check(ctx, "betterstack", {}))
    assert not r.summary.startswith("the check stopped"), (name, r.summary)
    if r.status.value == "error":
        assert "Better Stack" in r.summary or "betterstack" in r.summary, r.summary


# ------------------------------------------------------------------- Sentry


def sentry(project=None, events=None, releases=None, rules=None, link=None):
    def h(url, m, b):
        path = url.split("?")[0]
        if path.endswith("/events/"):
            return 200, ([("Link", link)] if link else []), events if events is not None else [pv.sentry_event(1)]
        if path.endswith("/releases/"):
            return 200, [], releases if releases is not None else [{"version": "abc123"}]
        if path.endswith("/rules/"):
            return 200, [], rules if rules is not None else [pv.sentry_rule()]
        return 200, [], project if project is not None else {"id": "4505", "slug": "web"}
    return h


@pytest.mark.parametrize("name,kw", [
    ("project a list", {"project": [1]}),
    ("project a string", {"project": "web"}),
    ("events a dict", {"events": {"data": []}}),
    ("tags a number", {"events": [{"id": "e", "tags": 5}]}),
    ("releases a dict", {"releases": {"version": "x"}}),
    ("releases strings", {"releases": ["abc123"]}),
    ("rules a dict", {"rules": {"actions": [1]}}),
    ("rule actions a number", {"rules": [{"name": "r", "actions": 3}]}),
])
def test_sentry_odd_shapes_are_a_clear_error_or_a_verdict(name, kw):
    ctx, _ = ctx_for(sentry(**kw))
    r = run(error_tracking.check(ctx, "acme/web", {}))
    assert not r.summary.startswith("the check stopped"), (name, r.summary)
    if r.status.value == "error":
        assert "Sentry" in r.summary or "sentry.io" in r.summary, (name, r.summary)
    no_secret(r)


def test_sentry_link_to_another_host_never_gets_the_token():
    link = '<https://evil.example/api/0/projects/acme/web/events/?cursor=1>; rel="next"; results="true"'
    ctx, net = ctx_for(sentry(link=link))
    run(error_tracking.check(ctx, "acme/web", {}))
    assert all(u.startswith("https://sentry.io/") for u, _h, _b in net.sent)


# ------------------------------------------------------------------- deploy_config

import os  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from launchready_tui.core.checks import deploy_config  # noqa: E402

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "on: push\njobs: {}\n"


def repo_with(tmp: Path, files: dict[str, str | bytes], rollback: str = "vercel rollback") -> tuple[Path, object]:
    for rel, content in files.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    prof = parse_profile(f"project: T\ndomain: {D}\ndeploy:\n  rollback: {json.dumps(rollback)}\n",
                         str(tmp / "launchready.yaml"))
    return tmp, prof


def bounded_analyse(repo: Path, prof, limit: float = 10.0):
    """analyse() in a daemon thread: a read that blocks fails the test instead of hanging it;
    FIFOs under repo are then opened for writing once, which frees a blocked reader."""
    box: dict[str, object] = {}

    def go():
        try:
            box["a"] = deploy_config.analyse(repo, prof, None)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            box["e"] = e

    t = threading.Thread(target=go, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(limit)
    took = time.monotonic() - t0
    if t.is_alive():
        for p in repo.rglob("*"):
            try:
                if p.is_fifo():
                    os.close(os.open(p, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        t.join(2)
        pytest.fail(f"deploy_config hung for {limit} s")
    if "e" in box:
        raise box["e"]  # type: ignore[misc]
    return box["a"], took


def finding_text(a) -> str:
    return json.dumps([f.to_dict() for f in a.findings])


@pytest.mark.parametrize("name,content", [
    ("alias bomb", BOMB),
    ("10 MB", "# " + "x" * (10 * 1024 * 1024) + "\non: push\n"),
    ("binary", b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 1000),
    ("not UTF-8", b"on: push\nname: caf\xe9\njobs: {}\n"),
])
def test_unreadable_workflow_is_a_finding_naming_the_file(tmp_path, name, content):
    repo, prof = repo_with(tmp_path, {".github/workflows/x.yml": content})
    a, took = bounded_analyse(repo, prof)
    if name != "not UTF-8":
        assert any(f.id == "unreadable-workflow" and f.file == ".github/workflows/x.yml" for f in a.findings), \
            (name, finding_text(a))
    assert took < 10


def test_workflow_fifo_and_dev_zero_symlink_are_findings_never_a_hang(tmp_path):
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    os.mkfifo(wf / "x.yml")
    os.symlink("/dev/zero", wf / "z.yml")
    repo, prof = repo_with(tmp_path, {})
    a, took = bounded_analyse(repo, prof)
    text = finding_text(a)
    assert ".github/workflows/x.yml" in text and ".github/workflows/z.yml" in text
    assert took < 5


@pytest.mark.parametrize("name,wf", [
    ("on a number", "on: 5\njobs:\n  a:\n    steps: [{run: npm test}]\n"),
    ("jobs a list", "on: push\njobs: [a, b]\n"),
    ("steps strings", "on: push\njobs:\n  a:\n    steps: [npm test, 5, null]\n"),
    ("steps a number", "on: push\njobs:\n  a:\n    steps: 5\n"),
    ("steps a mapping", "on: push\njobs:\n  a:\n    steps: {run: x}\n"),
    ("needs a number", "on: push\njobs:\n  a:\n    needs: 5\n    steps: []\n"),
    ("needs a mapping", "on: push\njobs:\n  a:\n    needs: {b: 1}\n    steps: []\n"),
    ("needs cycle", "on: {push: {branches: [main]}}\njobs:\n  a:\n    needs: b\n    steps: [{run: vercel deploy --prod}]\n"
                    "  b:\n    needs: a\n    steps: [{run: npm test}]\n"),
    ("self need", "on: push\njobs:\n  a:\n    needs: a\n    steps: [{run: flyctl deploy}]\n"),
    ("push branches a number", "on: {push: {branches: 5}}\njobs: {}\n"),
    ("keys not strings", "on: push\njobs:\n  1: {steps: [{run: 5, name: [1], if: {a: 1}}]}\n  null: {}\n"),
    ("top a list", "- on: push\n"),
    ("empty", ""),
])
def test_odd_workflow_shapes_never_crash(tmp_path, name, wf):
    repo, prof = repo_with(tmp_path, {".github/workflows/x.yml": wf})
    a, _ = bounded_analyse(repo, prof)
    assert isinstance(a.findings, list)


@pytest.mark.parametrize("name,gl", [
    ("rules a number", "deploy:\n  script: vercel deploy --prod\n  rules: 5\n"),
    ("script a mapping", "deploy:\n  script: {a: b}\n"),
    ("stage a list", "deploy:\n  stage: [a]\n  script: x\n"),
    ("stages a number", "stages: 5\ndeploy:\n  script: x\n"),
    ("needs cycle", "a:\n  needs: [b]\n  script: flyctl deploy\nb:\n  needs: [a]\n  script: npm test\n"),
])
def test_odd_gitlab_shapes_never_crash(tmp_path, name, gl):
    repo, prof = repo_with(tmp_path, {".gitlab-ci.yml": gl})
    a, _ = bounded_analyse(repo, prof)
    assert isinstance(a.findings, list)


@pytest.mark.parametrize("name,files,where", [
    ("vercel.json not JSON", {"vercel.json": "{nope"}, "vercel.json"),
    ("vercel.json 5 MB", {"vercel.json": '{"a": "' + "x" * (5 * 1024 * 1024) + '"}'}, "vercel.json"),
    ("fly.toml not TOML", {"fly.toml": "app = = 'x'\n[[["}, "fly.toml"),
    ("netlify.toml not TOML", {"netlify.toml": "[build\ncommand = "}, "netlify.toml"),
    ("render.yaml binary", {"render.yaml": b"\x00\x01\x02\xff" * 100}, "render.yaml"),
])
def test_unreadable_host_config_is_a_finding_naming_the_file(tmp_path, name, files, where):
    repo, prof = repo_with(tmp_path, files)
    a, _ = bounded_analyse(repo, prof)
    assert any(f.file == where and f.severity in ("warn", "fail") for f in a.findings), (name, finding_text(a))


def test_host_config_fifo_is_a_finding_never_a_hang(tmp_path):
    os.mkfifo(tmp_path / "vercel.json")
    repo, prof = repo_with(tmp_path, {})
    a, took = bounded_analyse(repo, prof)
    assert any(f.file == "vercel.json" for f in a.findings), finding_text(a)


@pytest.mark.parametrize("pkg", ["[1, 2]", '{"scripts": [1]}', '{"scripts": "rollback"}', "null", "{nope", "FIFO",
                                 "BIG"])
def test_package_json_of_any_shape_is_read_or_named(tmp_path, pkg):
    if pkg == "FIFO":
        os.mkfifo(tmp_path / "package.json")
        files = {}
    elif pkg == "BIG":
        files = {"package.json": '{"scripts": {"x": "' + "y" * (6 * 1024 * 1024) + '"}}'}
    else:
        files = {"package.json": pkg}
    repo, prof = repo_with(tmp_path, files, rollback="npm run rollback")
    a, took = bounded_analyse(repo, prof)
    assert any(f.file == "package.json" for f in a.findings), finding_text(a)
    assert took < 5


@pytest.mark.parametrize("cmd", ["./scripts/roll'back.sh", "bash -c 'unbalanced", "\"", "npm run", "''", "../../x.sh",
                                 "/etc/passwd.sh"])
def test_rollback_command_with_odd_quotes_never_crashes(tmp_path, cmd):
    repo, prof = repo_with(tmp_path, {}, rollback=cmd)
    a, _ = bounded_analyse(repo, prof)
    assert isinstance(a.findings, list)


def test_deploy_config_check_reports_a_fifo_workflow_not_a_traceback(tmp_path):
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    os.mkfifo(wf / "deploy.yml")
    repo, prof = repo_with(tmp_path, {})
    ctx = CheckContext(prof, None, state=None)
    try:
        r = run(deploy_config.check(ctx, str(repo), {}), limit=10)
    finally:
        try:
            os.close(os.open(wf / "deploy.yml", os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert r.status.value in ("warn", "fail") and ".github/workflows/deploy.yml" in json.dumps(r.evidence)


# ------------------------------------------------------------------- ci init

from launchready_tui import cli as lr_cli  # noqa: E402
from launchready_tui.core import ci_init  # noqa: E402

OURS = (ci_init.CHECKS_FILE, ci_init.AFTER_DEPLOY_FILE, ci_init.WEEKLY_FILE)


def ci_repo(tmp: Path) -> Path:
    repo = tmp / "repo"
    repo.mkdir()
    (repo / "launchready.yaml").write_text(f"project: T\ndomain: {D}\n", encoding="utf-8")
    (repo / "vercel.json").write_text("{}", encoding="utf-8")
    return repo


def ci_init_run(repo: Path, *extra: str, capsys) -> tuple[int, str]:
    code = lr_cli.main(["ci", "init", "--profile", str(repo / "launchready.yaml"), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_ci_init_when_workflows_is_a_file_says_so_and_writes_nothing(tmp_path, capsys):
    repo = ci_repo(tmp_path)
    (repo / ".github").mkdir()
    (repo / ".github" / "workflows").write_text("not a folder", encoding="utf-8")
    code, text = ci_init_run(repo, capsys=capsys)
    assert code in (1, 2) and ".github/workflows" in text and "Traceback" not in text
    assert (repo / ".github" / "workflows").read_text() == "not a folder"


@pytest.mark.parametrize("link", [".github", ".github/workflows"])
def test_ci_init_never_writes_through_a_symlinked_folder(tmp_path, capsys, link):
    repo = ci_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, repo / link)
    for force in ((), ("--force",)):
        code, text = ci_init_run(repo, *force, capsys=capsys)
        assert code in (1, 2) and "symlink" in text.lower(), text
        assert list(outside.rglob("*")) == [], "wrote outside the repository"


def test_ci_init_force_never_replaces_a_symlink_or_a_fifo_and_writes_nothing_partial(tmp_path, capsys):
    repo = ci_repo(tmp_path)
    wf = repo / ".github" / "workflows"
    wf.mkdir(parents=True)
    secret = tmp_path / "elsewhere.yml"
    secret.write_text("keep me\n", encoding="utf-8")
    os.symlink(secret, repo / ci_init.AFTER_DEPLOY_FILE)
    code, text = ci_init_run(repo, "--force", capsys=capsys)
    assert code in (1, 2) and ci_init.AFTER_DEPLOY_FILE in text and "symlink" in text.lower(), text
    assert secret.read_text() == "keep me\n" and (repo / ci_init.AFTER_DEPLOY_FILE).is_symlink()
    assert not (repo / ci_init.CHECKS_FILE).exists() and not (repo / ci_init.WEEKLY_FILE).exists()
    assert [p.name for p in wf.iterdir()] == ["launchready-after-deploy.yml"]  # no temp files left

    os.unlink(repo / ci_init.AFTER_DEPLOY_FILE)
    os.symlink(tmp_path / "nowhere.yml", repo / ci_init.AFTER_DEPLOY_FILE)  # dangling
    code, text = ci_init_run(repo, "--force", capsys=capsys)
    assert code in (1, 2) and not (tmp_path / "nowhere.yml").exists()
    assert (repo / ci_init.AFTER_DEPLOY_FILE).is_symlink() and not (repo / ci_init.CHECKS_FILE).exists()

    os.unlink(repo / ci_init.AFTER_DEPLOY_FILE)
    os.mkfifo(repo / ci_init.WEEKLY_FILE)
    code, text = ci_init_run(repo, "--force", capsys=capsys)
    assert code in (1, 2) and ci_init.WEEKLY_FILE in text and "Traceback" not in text
    assert (repo / ci_init.WEEKLY_FILE).is_fifo() and not (repo / ci_init.CHECKS_FILE).exists()


def test_ci_init_plain_run_still_writes_three_regular_files(tmp_path, capsys):
    repo = ci_repo(tmp_path)
    code, text = ci_init_run(repo, capsys=capsys)
    assert code == 0, text
    assert all((repo / f).is_file() and not (repo / f).is_symlink() for f in OURS)


# ------------------------------------------------------------------- scan-secrets

import subprocess  # noqa: E402
import sys  # noqa: E402


def scan_secrets(cwd: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchready_tui", "scan-secrets", *files], cwd=cwd,
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("what", ["fifo", "dev-zero", "missing"])
def test_scan_secrets_refuses_what_is_not_a_file_at_once(tmp_path, what):
    if what == "fifo":
        os.mkfifo(tmp_path / "staged.txt")
        arg = "staged.txt"
    elif what == "dev-zero":
        arg = "/dev/zero"
    else:
        arg = "gone.txt"
    t0 = time.monotonic()
    try:
        p = scan_secrets(tmp_path, arg)
    except subprocess.TimeoutExpired:
        pytest.fail("scan-secrets hung")
    assert time.monotonic() - t0 < 20
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert arg in p.stderr and "Traceback" not in p.stderr
    assert ("does not exist" if what == "missing" else "not a regular file") in p.stderr


def test_scan_secrets_in_a_folder_with_a_loop_a_fifo_and_latin1_is_bounded_and_finds_the_key(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    os.symlink("..", tmp_path / "d" / "e" / "up")
    os.mkfifo(tmp_path / "d" / "pipe")
    key = "ghp_" + "R8s2Xk9Lm4Qv7Tz1Wn5Yb3Hc6Jd0Fg2Ka8Pe"
    (tmp_path / "d" / "latin.py").write_bytes(b"caf\xe9 = 1\nTOKEN = '" + key.encode() + b"'\n\xff\xfe\n")
    p = scan_secrets(tmp_path, "d")
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "latin.py:2:" in p.stdout and key not in p.stdout + p.stderr


# ------------------------------------------------------------------- ai_probe

import httpx  # noqa: E402

from launchready_tui.core.checks import ai_probe  # noqa: E402

AI_URL = f"https://staging.{D}/api/assistant"
TOOLS = ["issue_refund", "invite_user"]


def oa_entry(**kw):
    e = {"url": AI_URL, "format": "openai", "dangerous_tools": TOOLS, "environment": "staging"}
    e.update(kw)
    return e


@pytest.mark.parametrize("name,body", [
    ("deep list", b"[" * 200000 + b"]" * 200000),
    ("deep object", b'{"a":' * 100000 + b"1" + b"}" * 100000),
    ("choices a dict", json.dumps({"choices": {"message": "x"}}).encode()),
    ("choices strings", json.dumps({"choices": ["x", 1, None]}).encode()),
    ("message a string", json.dumps({"choices": [{"message": "hi"}]}).encode()),
    ("tool_calls a number", json.dumps({"choices": [{"message": {"tool_calls": 5}}]}).encode()),
    ("tool_calls a string", json.dumps({"choices": [{"message": {"tool_calls": "issue_refund"}}]}).encode()),
    ("tool_calls a dict", json.dumps({"choices": [{"message": {"tool_calls": {"function": {"name": "x"}}}}]}).encode()),
    ("tool call strings", json.dumps({"choices": [{"message": {"tool_calls": ["issue_refund", 3, None]}}]}).encode()),
    ("function a string", json.dumps({"choices": [{"message": {"tool_calls": [{"function": "issue_refund"}]}}]}).encode()),
    ("name a list", json.dumps({"choices": [{"message": {"tool_calls": [{"function": {"name": ["issue_refund"]}}]}}]}).encode()),
    ("function_call a string", json.dumps({"choices": [{"message": {"function_call": "issue_refund"}}]}).encode()),
    ("binary", bytes(range(256)) * 100),
    ("top a number", b"42"),
])
def test_ai_answers_of_odd_shapes_are_read_never_raised(name, body):
    for entry in (oa_entry(), oa_entry(format="json", response="reply.text")):
        a = ai_probe.parse_answer(entry, body)
        assert isinstance(a.text, str) and isinstance(a.tools, list)


def test_a_dangerous_tool_named_inside_odd_shapes_is_still_seen():
    body = json.dumps({"choices": [{"message": {"tool_calls": [None, "x", {"function": {"name": "issue_refund"}}]}}]})
    assert [t.name for t in ai_probe.parse_answer(oa_entry(), body.encode()).tools] == ["issue_refund"]


class AiNet(FakeNet):
    def client(self, **kw):
        class _C:
            async def aclose(self):
                return None
        return _C()


def ai_ctx(handler, **entry_kw):
    prof = parse_profile(f"project: T\ndomain: {D}\nai_endpoints:\n  - {json.dumps(oa_entry(max_cases=6, **entry_kw))}\n")
    net = AiNet(handler)
    return CheckContext(prof, net, state=None, credentials=Store()), net


def test_ai_server_that_closes_every_connection_is_error_not_pass():
    ctx, net = ai_ctx(None)

    async def closing(url, **kw):
        net.sent.append(url)
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    net.fetch = closing
    r = run(ai_probe.check(ctx, AI_URL, {}))
    assert r.status.value == "error", r.summary
    assert len(net.sent) >= 1


def test_ai_login_refused_after_some_answers_is_error_naming_it_not_pass():
    answers = []

    def h(url, m, b):
        answers.append(url)
        if len(answers) <= 2:
            return 200, [], {"choices": [{"message": {"content": "I can't help with that."}}]}
        return 401, [], {"error": "session expired"}

    ctx, net = ai_ctx(h)
    r = run(ai_probe.check(ctx, AI_URL, {}))
    assert r.status.value == "error" and "401" in r.summary and "login" in r.summary, r.summary
    assert len(net.sent) == 3  # stops at the first refusal instead of sending the rest


def test_ai_probe_deep_json_answer_does_not_stop_the_check():
    ctx, _ = ai_ctx(lambda url, m, b: (200, [], b"[" * 200000 + b"]" * 200000))
    r = run(ai_probe.check(ctx, AI_URL, {}))
    assert not r.summary.startswith("the check stopped") and r.status.value in ("pass", "warn", "error")


@pytest.mark.parametrize("text,needle", [
    ("cases:\n  - {id: a, category: c, detector: canary}\n", "prompt"),
    ("cases:\n  - just a string\n", "case 1"),
    ("cases: {a: 1}\n", "list"),
    ("cases:\n  - {id: a, category: c, detector: canary, prompt: p}\n  - {id: a, category: c, detector: canary, prompt: q}\n",
     "twice"),
    ("cases:\n  - {id: a, category: c, detector: nonsense, prompt: p}\n", "detector"),
    ("- [unclosed\n", "YAML"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ncases: *e\n", "YAML"),
])
def test_a_bad_case_file_fails_clearly(text, needle):
    with pytest.raises(ai_probe.CasesError) as e:
        ai_probe.parse_cases(text)
    assert needle in str(e.value) and "ai_cases.yaml" in str(e.value)


def test_the_shipped_cases_parse():
    assert len(ai_probe.parse_cases(
        (Path(ai_probe.__file__).parent.parent / "data" / "ai_cases.yaml").read_text("utf-8"))) >= 40


def test_a_broken_case_file_makes_the_check_an_error_not_a_traceback(monkeypatch):
    def broken():
        raise ai_probe.CasesError("ai_cases.yaml: case 3 has no `prompt`")

    monkeypatch.setattr(ai_probe, "load_cases", broken)
    ctx, net = ai_ctx(lambda url, m, b: (200, [], {}))
    r = run(ai_probe.check(ctx, AI_URL, {}))
    assert r.status.value == "error" and "ai_cases.yaml" in r.summary and net.sent == []


def test_ai_answers_cut_off_at_the_cap_are_not_a_pass():
    huge = {"choices": [{"message": {"content": "Sure! " + "la " * 200000}}]}
    ctx, net = ai_ctx(lambda url, m, b: (200, [], huge))
    r = run(ai_probe.check(ctx, AI_URL, {}))
    assert r.status.value == "error" and "256 KB" in r.summary, r.summary


def test_ai_huge_answer_holding_a_tool_call_early_is_still_a_fail():
    body = json.dumps({"choices": [{"message": {"content": "ok", "tool_calls": [
        {"function": {"name": "issue_refund"}}]}}], "pad": "x" * 400000})
    ctx, net = ai_ctx(lambda url, m, b: (200, [], body[:100] + body[100:]))
    r = run(ai_probe.check(ctx, AI_URL, {}))
    # cut off mid-JSON: the answer cannot be parsed, so it is not a pass either
    assert r.status.value in ("fail", "error"), r.summary


def test_account_429s_on_every_call_share_one_wait_budget():
    ctx, net = ctx_for(lambda url, m, b: (429, [("Retry-After", "9")], {}))
    t0 = time.monotonic()
    r = run(error_tracking.check(ctx, "acme/web", {}))
    assert r.status.value == "error" and "429" in r.summary
    assert time.monotonic() - t0 < 12 and len(net.sent) <= 2


def test_many_large_workflows_are_read_within_a_total_budget(tmp_path):
    body = "on: push\njobs:\n  a:\n    steps:\n" + "".join(f"      - run: echo {i} {'x' * 40}\n" for i in range(7000))
    repo, prof = repo_with(tmp_path, {f".github/workflows/w{i:02}.yml": body for i in range(8)})
    a, took = bounded_analyse(repo, prof, limit=20)
    assert took < 8, took
    over = [f for f in a.findings if f.id == "unreadable-workflow" and "MB" in f.title]
    assert over and over[-1].file == ".github/workflows/w07.yml", finding_text(a)


def test_ai_endpoint_that_never_answers_stops_after_three_prompts():
    ctx, net = ai_ctx(None)

    async def silent(url, **kw):
        net.sent.append(url)
        raise TimeoutError()

    net.fetch = silent
    t0 = time.monotonic()
    r = run(ai_probe.check(ctx, AI_URL, {}))
    assert r.status.value == "error" and "in a row" in r.summary, r.summary
    assert len(net.sent) == 3 and time.monotonic() - t0 < 3


def test_provider_strings_are_capped_in_the_evidence():
    recs = [pv.cf_record(D, "A", "198.51.100.7", True), {**pv.cf_record(f"t.{D}", "TXT", "v" * 3_000_000, False)}]
    ctx, _ = ctx_for(cf_handler(dns_records=cf_env(recs, {"total_pages": 1})))
    r = run(cloudflare_dns.check(ctx, D, {}))
    assert len(json.dumps(r.evidence)) < 20_000


def test_gitlab_ci_fifo_is_a_finding_never_a_hang(tmp_path):
    os.mkfifo(tmp_path / ".gitlab-ci.yml")
    repo, prof = repo_with(tmp_path, {})
    a, took = bounded_analyse(repo, prof)
    assert any(f.file == ".gitlab-ci.yml" and f.id == "unreadable-workflow" for f in a.findings), finding_text(a)


def test_check_cli_on_a_hostile_repository_ends_with_findings_in_valid_sarif(tmp_path):
    os.mkfifo(tmp_path / "package.json")
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    os.symlink("/dev/zero", wf / "z.yml")
    (wf / "bomb.yml").write_text(BOMB, encoding="utf-8")
    (tmp_path / "vercel.json").write_text("{nope", encoding="utf-8")
    (tmp_path / "launchready.yaml").write_text(f"project: T\ndomain: {D}\ndeploy:\n  rollback: npm run rollback\n",
                                                encoding="utf-8")
    try:
        p = subprocess.run([sys.executable, "-m", "launchready_tui", "check", "--runbook", "deploy-path", "--step",
                            "one-command", "--format", "sarif"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("launchready check hung on the repository")
    finally:
        try:
            os.close(os.open(tmp_path / "package.json", os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert p.returncode == 1 and "Traceback" not in p.stderr, (p.returncode, p.stderr[-2000:])
    doc = json.loads(p.stdout)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]
            for loc in r["locations"]}
    assert {"package.json", "vercel.json", ".github/workflows/z.yml", ".github/workflows/bomb.yml"} <= uris, uris


@pytest.mark.parametrize("url", ["https://acme.example:99999/", "http://[::1/", "https://acme.example:port/", "", "x" * 5000])
def test_monitor_urls_the_provider_cannot_have_meant_do_not_crash(url):
    ctx, _ = ctx_for(ur([pv.ur_monitor(1, "Odd", url), pv.ur_monitor(2, "Home", f"https://{D}/")]))
    r = run(monitors.check(ctx, "uptimerobot", {}))
    assert r.status.value == "pass", r.summary  # the profile's URL is watched; the odd one is only listed
    assert monitors.norm(url) is not None


def test_an_api_slow_on_every_page_ends_inside_the_deadline_as_an_error():
    class SlowNet(FakeNet):
        timeout_s = 0.2

        async def fetch(self, url, **kw):
            await asyncio.sleep(0.5)
            return await super().fetch(url, **kw)

    prof = parse_profile(PROFILE.replace("PROVIDER", "uptimerobot").replace("CRED", "ur"))
    net = SlowNet(cf_handler(dns_records=cf_env([pv.cf_record(D, "A", "198.51.100.7", True)], {"total_pages": 20})))
    ctx = CheckContext(prof, net, state=None, credentials=Store())
    t0 = time.monotonic()
    r = run(cloudflare_dns.check(ctx, D, {}))
    took = time.monotonic() - t0
    assert r.status.value == "error" and "too slowly" in r.summary and "api.cloudflare.com" in r.summary, r.summary
    assert took < cloudflare_dns.deadline({}, SlowNet.timeout_s) and took < 8


def test_a_zone_id_from_the_api_cannot_steer_the_next_requests_elsewhere():
    ctx, net = ctx_for(cf_handler(zones=cf_env([{"id": "../../user/tokens?x=", "name": D}])))
    run(cloudflare_zone.check(ctx, D, {}))
    paths = [u.split("?")[0] for u, _h, _b in net.sent[1:]]
    assert paths and all(p.startswith(CF + "/zones/..%2F..%2Fuser%2Ftokens%3Fx%3D/") for p in paths), paths


def test_deploy_config_repo_that_is_a_file_says_so(tmp_path):
    (tmp_path / "app").write_text("not a folder", encoding="utf-8")
    _, prof = repo_with(tmp_path, {})
    r = run(deploy_config.check(CheckContext(prof, None, state=None), str(tmp_path / "app"), {}))
    assert r.status.value == "error" and "not a folder" in r.summary, r.summary
