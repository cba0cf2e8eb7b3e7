"""The knotd launcher: real authoritative DNS for the lab (skipped without knotd)."""

from __future__ import annotations

import time

import pytest

from launchready_tui.core.net import DnsFailure, Nameserver, Resolver
from launchready_tui.lab import World
from launchready_tui.lab.knot import KnotDns, knotd_path

pytestmark = [pytest.mark.integration, pytest.mark.knot]

if knotd_path() is None:
    pytest.skip("knotd is not installed (Debian package 'knot'; .ci/run installs it)", allow_module_level=True)


def world() -> World:
    return World(records=[
        ("k.test", "SOA", "ns1.k.test. hostmaster.k.test. 1 3600 600 86400 300"),
        ("k.test", "NS", "ns1.k.test."),
        ("k.test", "NS", "ns2.k.test."),
        ("k.test", "A", "127.0.0.1"),
        ("k.test", "CAA", '0 issue "letsencrypt.org"'),
        ("www.k.test", "CNAME", "k.test."),
        ("blog.k.test", "CNAME", "nobody.herokuapp.com."),
        ("docs.k.test", "CNAME", "k-docs.github.io."),
        ("k-docs.github.io", "A", "127.0.0.1"),
        ("k.test", "TXT", ["v=spf1 include:_spf.k.test ", "-all"]),
    ], faults={"broken.k.test": "servfail"})


async def test_knotd_answers_like_a_real_server(tmp_path):
    t0 = time.monotonic()
    with KnotDns(world(), tmp_path) as knot:
        assert time.monotonic() - t0 < 5
        r = Resolver((Nameserver("127.0.0.1", knot.port),), timeout_s=1.0)
        assert (await r.query("k.test", "A")).records == ["127.0.0.1"]
        www = await r.query("www.k.test", "A")
        assert www.records == ["127.0.0.1"] and www.chain == [("www.k.test", "k.test")]
        blog = await r.query("blog.k.test", "A")
        assert blog.nxdomain and blog.chain == [("blog.k.test", "nobody.herokuapp.com")], \
            "the out-of-zone target is asked again and is a real NXDOMAIN"
        docs = await r.query("docs.k.test", "A")
        assert docs.records == ["127.0.0.1"] and docs.final_name == "k-docs.github.io"
        assert sorted((await r.query("k.test", "NS")).records) == ["ns1.k.test", "ns2.k.test"]
        assert (await r.query("k.test", "CAA")).records == ['0 issue "letsencrypt.org"']
        assert (await r.query("k.test", "TXT")).records == ["v=spf1 include:_spf.k.test -all"]
        with pytest.raises(DnsFailure) as e:
            await r.query("x.broken.k.test", "A")
        assert e.value.kind == "SERVFAIL" and knot.address in str(e.value)
        with pytest.raises(DnsFailure) as e:
            await r.query("not-served.example", "A")
        assert e.value.kind == "REFUSED"
        proc = knot.proc
    assert proc.poll() is not None, "knotd is stopped"
