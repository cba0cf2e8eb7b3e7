"""The handover from a real check run against the lab, where the servers are hostile:
HTTP headers, TXT records, a redirect Location and the page itself carry `<script>`.

The checks store what they saw (that is their job); the export must show it as text.
The world is built here, not in the shared demo.
"""

from __future__ import annotations

import json
import textwrap
from html.parser import HTMLParser

import pytest

from launchready_tui.lab import Lab, Rule, Site, World
from tests.conftest import run_cli
from tests.unit.test_export_html import StrictParser

pytestmark = pytest.mark.integration

D = "evil-lab.test"
S_SERVER = "<script>alert('server')</script>"
S_POWERED = '<img src=x onerror="alert(1)">'
S_TXT = "<script>alert('txt')</script>"
S_LOCATION = "<script>alert('loc')</script>"
S_TITLE = "<script>alert('title')</script>"
PAGE = (
    f"<!doctype html><html><head><title>{S_TITLE}</title></head><body>"
    '<img src="http://cdn.evil-lab.test/<script>alert(\'img\')</script>.png">'
    "<p>hello</p></body></html>"
)

RUNBOOK = textwrap.dedent("""\
    ---
    id: hostile
    title: "Stage 1: Hostile servers"
    stage: 1
    goal: See remote markup come out as text.
    summary: DNS, redirects, TLS, headers and email against servers that send markup.
    ---

    # Stage 1: Hostile servers

    ## The edge {#edge}

    ```check
    id: names
    kind: dns
    ```

    ```check
    id: chains
    kind: redirects
    ```

    ```check
    id: certs
    kind: tls
    ```

    ```check
    id: heads
    kind: headers
    ```

    ## Email {#email}

    ```check
    id: spf
    kind: spf
    ```

    ```check
    id: dmarc
    kind: dmarc
    ```

    ```check
    id: up
    kind: uptime
    ```
    """)


def world() -> World:
    w = World(profile={"project": "Hostile <b>lab</b>", "domain": D, "canonical_host": D,
                       "hosts": {"www": f"www.{D}"}})
    w.records += [
        (D, "SOA", f"ns1.{D}. hostmaster.{D}. 1 3600 600 86400 300"),
        (D, "NS", f"ns1.{D}."), (D, "NS", f"ns2.{D}."),
        (f"ns1.{D}", "A", "127.0.0.1"), (f"ns2.{D}", "A", "127.0.0.1"),
        (D, "A", "127.0.0.1"), (f"www.{D}", "A", "127.0.0.1"),
        (D, "TXT", f"v=spf1 ip4:192.0.2.1 include:{S_TXT}.{D} -all"),
        (f"_dmarc.{D}", "TXT", f"v=DMARC1; p=none; rua=mailto:{S_TXT}@{D}"),
    ]
    headers = [("Server", S_SERVER), ("X-Powered-By", S_POWERED)]
    w.sites[D] = Site(default=Rule(body=PAGE, headers=headers),
                      http=Rule(status=301, redirect=f"https://{D}/", headers=headers))
    w.sites[f"www.{D}"] = Site(default=Rule(status=301, redirect=f"https://{D}/{S_LOCATION}", headers=headers),
                               http=Rule(status=301, redirect=f"https://www.{D}/", headers=headers))
    w.profile["monitor"] = [f"https://{D}/"]
    w.profile["email"] = {"domain": D}
    return w


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    rb = root / "runbooks"
    rb.mkdir()
    (rb / "stage-1-hostile.md").write_text(RUNBOOK, encoding="utf-8")
    with Lab(world(), root / "lab", timeout_s=2.0) as lab:
        prof = str(lab.profile_path)
        r = run_cli("check", "--profile", prof, "--runbooks", str(rb), "--format", "json", timeout=180)
        assert r.returncode in (0, 1), r.stderr
        html_path = root / "handover.html"
        md_path = root / "handover.md"
        for fmt, path in (("html", html_path), ("md", md_path)):
            e = run_cli("export", "--profile", prof, "--runbooks", str(rb), "--format", fmt, "-o", str(path))
            assert e.returncode == 0, e.stderr
        state = (lab.profile_path.parent / ".launchready" / "state.json").read_text(encoding="utf-8")
        return {"state": state, "html": html_path.read_text(encoding="utf-8"),
                "md": md_path.read_text(encoding="utf-8")}


def test_the_hostile_strings_reached_the_evidence(ran):
    """Otherwise the next test proves nothing."""
    state = json.loads(ran["state"])
    blob = json.dumps(state["results"], ensure_ascii=False)
    assert S_SERVER in blob  # an HTTP header, via the headers check
    assert S_TXT in blob  # TXT records, via spf and dmarc
    assert "alert('loc')" in blob  # a redirect Location


def test_html_handover_keeps_them_inert(ran):
    page = ran["html"]
    p = StrictParser()
    p.feed(page)
    p.close()
    assert p.errors == []
    assert "script" not in p.tags and "img" not in p.tags
    assert "<script" not in page.lower()
    assert "onerror=" not in page.replace("onerror=&quot;", "")  # only ever as escaped text
    text = "".join(p.text)
    for planted in (S_SERVER, S_TXT):
        assert planted in text
    assert "Hostile <b>lab</b>" in text  # even the project name is text


def test_markdown_handover_keeps_them_inert(ran):
    from markdown_it import MarkdownIt

    out = MarkdownIt("commonmark", {"html": True}).enable("table").render(ran["md"])

    class Tags(HTMLParser):
        tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    t = Tags()
    t.feed(out)
    assert "script" not in t.tags and "img" not in t.tags and "b" not in t.tags
