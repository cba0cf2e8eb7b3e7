"""MX: present and resolving, null MX explained, no MX for a sending domain."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from launchready_tui.core.checks.email import mx
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.results import Status
from tests.unit.test_spf_conformance import SuiteResolver


def profile(extra: str = ""):
    return parse_profile("project: P\ndomain: acme.test\n" + extra)


async def run(zone, extra: str = "", domain="acme.test"):
    ctx = SimpleNamespace(profile=profile(extra), net=SimpleNamespace(resolver=SuiteResolver(zone)))
    r = await mx.check(ctx, domain, {})
    if r.status in (Status.WARN, Status.FAIL, Status.ERROR):
        assert r.why and r.fix, r
    return r


async def test_resolving_mx_hosts_pass():
    z = {"acme.test": [{"MX": [20, "mx2.acme.test."]}, {"MX": [10, "mx1.acme.test"]}],
         "mx1.acme.test": [{"A": "192.0.2.1"}], "mx2.acme.test": [{"AAAA": "2001:db8::2"}]}
    r = await run(z)
    assert r.status == Status.PASS, r.summary
    assert [i["host"] for i in r.evidence["mx"]] == ["mx1.acme.test", "mx2.acme.test"]
    assert r.evidence["mx"][1]["addresses"] == ["2001:db8::2"]


async def test_unresolvable_mx_host_fails():
    z = {"acme.test": [{"MX": [10, "mx1.acme.test"]}, {"MX": [20, "old.acme.test"]}],
         "mx1.acme.test": [{"A": "192.0.2.1"}]}
    r = await run(z)
    assert r.status == Status.FAIL and "old.acme.test does not resolve" in r.summary


async def test_null_mx_is_explained():
    z = {"acme.test": [{"MX": [0, "."]}]}
    r = await run(z, "email:\n  sends_mail: false\n")
    assert r.status == Status.PASS and "receives no mail" in r.summary and r.evidence["null_mx"]
    r = await run(z, "email:\n  senders: ['192.0.2.1']\n")
    assert r.status == Status.WARN and "null MX" in r.summary


async def test_null_mx_mixed_with_servers_fails():
    z = {"acme.test": [{"MX": [0, "."]}, {"MX": [10, "mx1.acme.test"]}], "mx1.acme.test": [{"A": "192.0.2.1"}]}
    r = await run(z)
    assert r.status == Status.FAIL


async def test_no_mx_warns_for_a_sending_domain():
    z = {"acme.test": [{"A": "192.0.2.80"}]}
    r = await run(z)
    assert r.status == Status.WARN and "no MX" in r.summary and "lost" in r.why
    r = await run(z, "email:\n  sends_mail: false\n")
    assert r.status == Status.PASS


async def test_cname_mx_warns_and_ip_literal_fails():
    z = {"acme.test": [{"MX": [10, "mail.acme.test"]}], "mail.acme.test": [{"CNAME": "real.acme.test"}],
         "real.acme.test": [{"A": "192.0.2.1"}]}
    r = await run(z)
    assert r.status == Status.WARN and "CNAME" in r.summary
    r = await run({"acme.test": [{"MX": [10, "192.0.2.1"]}]})
    assert r.status == Status.FAIL and "IP address" in r.summary


@pytest.mark.parametrize("zone", [{"acme.test": ["TIMEOUT"]},
                                  {"acme.test": [{"MX": [10, "mx1.acme.test"]}], "mx1.acme.test": ["TIMEOUT"]}])
async def test_timeouts_are_errors(zone):
    r = await run(zone)
    assert r.status == Status.ERROR


async def test_nonexistent_domain_fails():
    r = await run({}, domain="gone.test")
    assert r.status == Status.FAIL


def test_targets_and_sends_mail():
    assert mx.targets(profile("email:\n  domain: m.acme.test\n"), {}) == ["m.acme.test"]
    assert mx.sends_mail(profile("email:\n  sends_mail: false\n  senders: [x]\n"), {})[0] is False
    assert mx.parse_mx("10 mx.acme.test.") == (10, "mx.acme.test.")
