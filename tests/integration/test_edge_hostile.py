"""Hostile servers: each edge check ends within its time limit with `error` or `fail` and
a clear reason, never a hang or a crash.

- hang.   accepts the connection (and TLS) and never answers;
- drip.   sends a status line, then one header byte every 0.1 s, forever;
- huge.   sends a 1 GB body (the checks read at most their cap);
- many.   redirects 50 times;
- stall.  stops in the middle of the TLS handshake.
"""

from __future__ import annotations

import pytest
from test_edge_support import (
    RawServers,
    drip,
    hang,
    huge_body,
    run_check,
    tls_stall,
    write_profile,
    write_runbooks,
)

from launchready_tui.core.engine import deadline_for
from launchready_tui.lab import CertSpec, Lab, Rule, Site, World
from launchready_tui.lab.web import Response

pytestmark = pytest.mark.integration

D = "hostile.test"
TIMEOUT = 1.0
HOSTS = ["hang", "drip", "huge", "many", "stall"]


def h(n: str) -> str:
    return f"{n}.{D}"


def fifty_redirects(req) -> Response:
    n = int(req.path.strip("/").removeprefix("r") or 0) if req.path.startswith("/r") else 0
    if n >= 50:
        return Response(200, [("Content-Type", "text/plain")], "finally")
    return Response(302, [("Location", f"/r{n + 1}")], b"")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    w = World(profile={"project": "Hostile", "domain": D})
    w.records += [(D, "A", "127.0.0.1")] + [(h(n), "A", "127.0.0.1") for n in HOSTS]
    w.sites[h("many")] = Site(default=Rule(handler=fifty_redirects))
    w.sites[h("stall")] = Site(default=Rule(body="unused"), http=Rule(redirect=f"https://{h('stall')}/"))
    raw = RawServers()
    with Lab(w, tmp / "lab", timeout_s=TIMEOUT) as lab:
        def tls_for(n: str):
            return lab.web.factory.context_for(h(n), CertSpec())

        raw.add(h("hang"), hang, tls_for("hang"))
        raw.add(h("drip"), drip, tls_for("drip"))
        raw.add(h("huge"), huge_body, tls_for("huge"))
        raw.add(h("stall"), tls_stall, ports=(443,))
        net = lab.network()
        net["connect_to"] = raw.rules + net["connect_to"]
        profile = write_profile(tmp / "p" / "launchready.yaml", {"project": "Hostile", "domain": D}, net)
        targets = {
            "redirects": [h(n) for n in HOSTS],
            "headers": [h(n) for n in HOSTS],
            "tls": [h("stall")],
            "cloudflare": [h("hang"), h("stall")],
        }
        rb = write_runbooks(tmp / "rb", targets)
        try:
            doc, by, wall, _proc = run_check(profile, rb, timeout=120)
            yield {"doc": doc, "by": by, "wall": wall}
        finally:
            raw.close()


def ended_in_time(res: dict) -> None:
    limit = deadline_for(res["check"], {}, TIMEOUT)
    assert res["status"] in ("error", "fail"), res["summary"]
    assert res["duration_ms"] < limit * 1000, (res["check"], res["target"], res["duration_ms"])
    assert "time limit" not in res["summary"], "the check ended on its own, not by the engine's deadline"
    assert res["why"] and res["fix"]


def test_every_result_is_bounded_and_explained(run):
    assert len(run["doc"]["results"]) == 13
    for res in run["doc"]["results"]:
        ended_in_time(res)
    assert run["wall"] < 30


def test_never_answers(run):
    for kind in ("redirects", "headers", "cloudflare"):
        res = run["by"][(kind, h("hang"))]
        text = res["summary"] + str(res["evidence"])
        assert "sent nothing for 1 s" in text, (kind, res["summary"])


def test_drips_headers(run):
    for kind in ("redirects", "headers"):
        res = run["by"][(kind, h("drip"))]
        assert res["status"] == "error" and "a trickle at a time" in res["summary"], res["summary"]


def test_huge_body_is_capped(run):
    res = run["by"][("headers", h("huge"))]
    assert res["status"] == "fail"
    assert res["evidence"]["body_truncated"] is True and res["evidence"]["body_bytes_read"] == 1024 * 1024
    assert "too_big" in {f["code"] for f in res["evidence"]["findings"]}
    assert "1024 MB" in str(res["evidence"]["findings"])
    assert run["by"][("redirects", h("huge"))]["status"] == "fail"


def test_fifty_redirects_stop_at_ten(run):
    res = run["by"][("redirects", h("many"))]
    assert res["status"] == "fail" and "more than 10 redirects" in res["summary"]
    assert len(res["evidence"]["hops"][f"https://{h('many')}/"]) == 11
    hdr = run["by"][("headers", h("many"))]
    assert hdr["status"] == "error" and "more than 10 redirects" in hdr["summary"]


def test_tls_stalled_mid_handshake(run):
    tls = run["by"][("tls", h("stall"))]
    assert tls["status"] == "error" and "did not finish" in tls["summary"] and "stalled" in tls["summary"]
    red = run["by"][("redirects", h("stall"))]
    assert "handshake stalled" in red["summary"]
