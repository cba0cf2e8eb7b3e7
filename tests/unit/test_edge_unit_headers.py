"""Header, cookie and mixed-content evaluation (pure logic)."""

from __future__ import annotations

import json

import pytest

from launchready_tui.core.checks import headers as hd
from launchready_tui.core.net import FetchResult


def codes(lines):
    return {(x.severity, x.code) for x in lines}


def test_parse_hsts():
    h = hd.parse_hsts('max-age="31536000"; includeSubDomains; Preload')
    assert h["max_age"] == 31536000 and h["include_subdomains"] and h["preload"]
    assert hd.parse_hsts("includeSubDomains")["max_age"] is None
    assert hd.parse_hsts("max-age=abc")["max_age"] is None


@pytest.mark.parametrize("values,expected", [
    ([], {("fail", "hsts_missing")}),
    # RFC 6797 §8.1: only the first header field is processed (not "ignored")
    (["max-age=31536000", "max-age=31536000"], {("info", "hsts_twice"), ("pass", "hsts")}),
    # not a list field (RFC 9110 §5.3): two values joined by a comma cannot be read
    (["max-age=31536000, max-age=600"], {("fail", "hsts_invalid")}),
    (["max-age=600", "max-age=31536000"], {("warn", "hsts_twice"), ("warn", "hsts_short")}),
    (["max-age=0"], {("fail", "hsts_off")}),
    (["includeSubDomains"], {("fail", "hsts_invalid")}),
    # RFC 6797 §6.1: a directive given twice makes the header invalid
    (["max-age=31536000; max-age=31536000"], {("fail", "hsts_invalid")}),
    (["max-age=86400"], {("warn", "hsts_short")}),
    # 180 days is a common framework default: accepted; preload would need a year
    (["max-age=15552000"], {("pass", "hsts"), ("info", "hsts_preload_needs_year")}),
    (["max-age=15551999"], {("warn", "hsts_short")}),
    (["max-age=15768000"], {("pass", "hsts"), ("info", "hsts_preload_needs_year")}),
    (["max-age=31536000; includeSubDomains"], {("pass", "hsts"), ("info", "hsts_subdomains")}),
    (["max-age=31536000; preload"], {("pass", "hsts"), ("warn", "hsts_preload_ineligible")}),
    (["max-age=63072000; includeSubDomains; preload"],
     {("pass", "hsts"), ("info", "hsts_subdomains"), ("info", "hsts_preload")}),
])
def test_evaluate_hsts(values, expected):
    assert codes(hd.evaluate_hsts(values)) == expected


def test_hsts_fix_names_the_cloudflare_dashboard_when_behind_it():
    [line] = hd.evaluate_hsts([], cloudflare=True)
    assert "SSL/TLS > Edge Certificates > HTTP Strict Transport Security" in line.fix
    [line] = hd.evaluate_hsts([], cloudflare=False)
    assert "vercel.json" in line.fix and line.why


def test_preload_and_subdomains_explain_the_commitment():
    lines = hd.evaluate_hsts(["max-age=63072000; includeSubDomains; preload"])
    text = " ".join(x.message for x in lines)
    assert "every subdomain" in text and "removal takes months" in text


def test_other_headers_on_a_page_and_on_an_api():
    page = hd.evaluate_other({}, is_html=True)
    # Fetch: a missing Referrer-Policy means strict-origin-when-cross-origin: a note, not a warning
    assert codes(page) == {("warn", "csp_missing"), ("warn", "nosniff_missing"), ("warn", "frame_missing"),
                           ("info", "referrer_missing")}
    api = hd.evaluate_other({}, is_html=False)
    assert ("info", "csp_missing") in codes(api) and ("info", "frame_missing") in codes(api)
    good = hd.evaluate_other({
        "content-security-policy": ["default-src 'self'; frame-ancestors 'none'"],
        "x-content-type-options": ["nosniff"],
        "referrer-policy": ["strict-origin-when-cross-origin"],
    }, is_html=True)
    assert {s for s, _ in codes(good)} == {"pass"}
    xfo = hd.evaluate_other({"x-frame-options": ["sameorigin"]}, is_html=True)
    assert ("pass", "frame") in codes(xfo)
    ro = hd.evaluate_other({"content-security-policy-report-only": ["default-src 'self'"]}, is_html=True)
    assert ("warn", "csp_report_only") in codes(ro)
    weak = hd.evaluate_other({"referrer-policy": ["unsafe-url"]}, is_html=True)
    assert ("warn", "referrer_weak") in codes(weak)


def test_cookies_flags_without_values():
    c = hd.parse_set_cookie("sessionid=TOPSECRET; Path=/; Secure; HttpOnly; SameSite=lax")
    assert c == {"name": "sessionid", "secure": True, "httponly": True, "samesite": "Lax", "session": True,
                 "path": "/"}
    assert "TOPSECRET" not in json.dumps(c)
    lines, cookies = hd.evaluate_cookies(["sessionid=TOPSECRET; Path=/", "theme=dark"])
    assert codes(lines) == {("fail", "cookie_insecure"), ("fail", "cookie_js"), ("warn", "cookie_samesite"),
                            ("info", "cookie_note")}, "a cookie that is not a login is noted, not failed"
    assert [c["session"] for c in cookies] == [True, False]
    assert "TOPSECRET" not in json.dumps([x.__dict__ for x in lines]) + json.dumps(cookies)
    lines, _ = hd.evaluate_cookies(["XSRF-TOKEN=abc; Secure; SameSite=Strict"])
    assert codes(lines) == {("pass", "cookie")}, "a CSRF token is meant to be readable by scripts"
    lines, _ = hd.evaluate_cookies(["auth_token=x; HttpOnly; SameSite=None"])
    assert ("fail", "cookie_samesite_none") in codes(lines)
    lines, _ = hd.evaluate_cookies(["__Host-sid=x; Path=/; Secure; HttpOnly; SameSite=Lax"])
    assert codes(lines) == {("pass", "cookie")}


def test_version_leaks():
    lines = hd.evaluate_leaks({"server": ["nginx/1.18.0 (Ubuntu)"], "x-powered-by": ["PHP/7.4.3"]})
    assert codes(lines) == {("warn", "version_leak")} and len(lines) == 2
    assert hd.evaluate_leaks({"server": ["cloudflare"]}) == []
    assert codes(hd.evaluate_leaks({"x-powered-by": ["Express"]})) == {("info", "powered_by")}


HTML = """<!doctype html><html><head>
<link rel="stylesheet" href="http://cdn.example/a.css">
<link rel="canonical" href="http://acme.test/">
<link rel="icon" href="http://cdn.example/favicon.ico">
<script src="HTTP://cdn.example/a.js"></script>
<script src="https://cdn.example/ok.js"></script>
</head><body>
<a href="http://elsewhere.example/">a link is not mixed content</a>
<img src="http://cdn.example/a.png" srcset="https://cdn.example/b.png 1x, http://cdn.example/c.png 2x">
<iframe src="http://video.example/embed"></iframe>
<form action="http://acme.test/login"></form>
"""


def test_mixed_content_parser():
    found = hd.find_mixed_content(HTML)
    kinds = sorted((k, t) for k, t, _u in found)
    assert kinds == sorted([("active", "link"), ("passive", "link"), ("active", "script"), ("passive", "img"),
                            ("passive", "img"), ("active", "iframe"), ("form", "form")])
    assert codes(hd.evaluate_mixed(found, upgrade=False)) == {
        ("fail", "mixed_active"), ("warn", "mixed_passive"), ("warn", "mixed_form")}
    assert codes(hd.evaluate_mixed(found, upgrade=True)) == {
        ("warn", "mixed_active"), ("info", "mixed_passive"), ("warn", "mixed_form")}
    assert hd.find_mixed_content("<p>plain <b>page</b>") == []
    hd.find_mixed_content("<script src='http://x/" + "a" * 10000)  # broken HTML never raises


def resp(headers, body=b"<!doctype html><p>x</p>", truncated=False):
    return FetchResult("https://acme.test/", 200, headers, body, truncated, 1.0)


def test_evaluate_a_response():
    lines, ev = hd.evaluate(resp([("Content-Type", "text/html"), ("Set-Cookie", "sid=SECRET123; Secure")]),
                            "https://acme.test/")
    assert ("fail", "hsts_missing") in codes(lines) and ("fail", "cookie_js") in codes(lines)
    assert ("pass", "mixed") in codes(lines)
    assert "SECRET123" not in json.dumps(ev)
    assert "set-cookie" not in ev["headers"]
    lines, ev = hd.evaluate(resp([("Content-Type", "text/html"), ("Content-Length", str(1 << 30))],
                                 b"<html>" + b"\0" * hd.BODY_CAP, truncated=True), "https://acme.test/")
    [big] = [x for x in lines if x.code == "too_big"]
    assert big.severity == "warn" and "1024 MB" in big.message and ev["body_truncated"] is True
