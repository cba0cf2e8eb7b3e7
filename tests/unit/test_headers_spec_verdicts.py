"""Issue 16, headers: verdicts that follow the specs (CSP3, RFC 6265bis, RFC 6797, HTML,
Fetch, Referrer Policy). Each test names the rule it pins."""

from __future__ import annotations

import pytest

from launchready_tui.core.checks import _csp as cs
from launchready_tui.core.checks import headers as hd


def codes(lines):
    return {(x.severity, x.code) for x in lines}


def csp_codes(value, is_html=True):
    values = value if isinstance(value, list) else [value]
    got = codes(hd.evaluate_other({"content-security-policy": values, "x-content-type-options": ["nosniff"]},
                                  is_html))
    return {c for c in got if not c[1].startswith(("frame", "referrer", "nosniff"))}


# ---------------------------------------------------------------------------- CSP3 parsing


def test_csp3_2_2_1_duplicate_directive_first_wins():
    pol = cs.parse_policy("script-src 'self'; script-src 'unsafe-inline' *")
    assert pol.directives["script-src"] == ["'self'"] and pol.duplicates == ["script-src"]
    got = csp_codes("default-src 'self'; script-src 'self'; script-src 'unsafe-inline'")
    assert ("pass", "csp") in got and ("info", "csp_duplicate") in got
    assert not {c for c in got if c[0] == "warn"}


def test_csp3_2_2_1_names_are_case_insensitive_and_whitespace_is_any_ascii_space():
    pol = cs.parse_policy("  Default-SRC\t'self'   'unsafe-inline' ")
    assert pol.directives == {"default-src": ["'self'", "'unsafe-inline'"]}


def test_csp3_2_2_2_comma_means_two_policies_and_both_are_enforced():
    assert len(cs.parse_header(["default-src *, script-src 'self'"])) == 2
    # the second policy restricts scripts, so the wildcard in the first lets nothing in
    assert ("pass", "csp") in csp_codes(["default-src *", "script-src 'self'"])
    both = csp_codes(["script-src 'unsafe-inline'", "default-src 'unsafe-inline' 'self'"])
    assert ("warn", "csp_unsafe_inline") in both


@pytest.mark.parametrize("policy,code", [
    ("script-src 'self' 'unsafe-inline'", "csp_unsafe_inline"),
    ("default-src 'self' 'unsafe-inline'", "csp_unsafe_inline"),  # default-src governs scripts
    ("script-src 'self' 'unsafe-eval'", "csp_unsafe_eval"),
    ("default-src *", "csp_script_anywhere"),
    ("script-src 'self' http:", "csp_script_anywhere"),
    ("script-src 'self' data:", "csp_script_anywhere"),
    ("script-src https:", "csp_script_anywhere"),
    ("script-src http://cdn.example", "csp_script_anywhere"),
    ("img-src 'self'; style-src 'self'", "csp_no_script_rule"),
    ("frame-ancestors 'none'", "csp_no_script_rule"),
    ("upgrade-insecure-requests", "csp_only_upgrade"),
    ("defualt-src 'self'", "csp_unparsed"),
    ("default-src: 'self'", "csp_unparsed"),
])
def test_csp3_weak_policies_are_flagged(policy, code):
    got = csp_codes(policy)
    assert ("warn", code) in got, got
    assert ("pass", "csp") not in got
    api = csp_codes(policy, is_html=False)
    assert ("info", code) in api, "on an API response the same finding is a note"


def test_csp3_6_7_3_3_unsafe_inline_with_a_nonce_or_hash_is_ignored():
    assert ("pass", "csp") in csp_codes("script-src 'self' 'unsafe-inline' 'nonce-r4nd0m'")
    assert ("pass", "csp") in csp_codes("script-src 'unsafe-inline' 'sha256-abc='; object-src 'none'")


def test_csp3_4_4_unsafe_eval_is_not_neutralized_by_a_nonce():
    assert ("warn", "csp_unsafe_eval") in csp_codes("script-src 'nonce-abc' 'unsafe-eval'")


def test_csp3_8_2_strict_dynamic_with_nonce_ignores_host_and_scheme_sources():
    assert ("pass", "csp") in csp_codes("script-src 'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'")
    assert ("warn", "csp_script_anywhere") in csp_codes("script-src 'strict-dynamic' https:"), \
        "without a nonce or hash 'strict-dynamic' changes nothing"


def test_script_src_wins_over_default_src():
    assert ("pass", "csp") in csp_codes("default-src *; script-src 'self'")
    assert ("warn", "csp_unsafe_inline") in csp_codes("default-src 'self'; script-src 'unsafe-inline'")
    assert ("pass", "csp") in csp_codes("script-src 'none'")


def test_fix_says_which_part_of_the_header_to_change():
    [f] = [x for x in hd.evaluate_other({"content-security-policy": ["default-src 'self' 'unsafe-inline'"]}, True)
           if x.code == "csp_unsafe_inline"]
    assert "the part that starts with `default-src`" in f.fix and "delete `'unsafe-inline'`" in f.fix
    assert "vercel.json" in f.fix and "_headers" in f.fix and f.why
    [f] = [x for x in hd.evaluate_other({"content-security-policy": ["upgrade-insecure-requests"]}, True)
           if x.code == "csp_only_upgrade"]
    assert "add `default-src 'self'`" in f.fix


def test_unknown_directive_and_missing_semicolon_are_named():
    msgs = " ".join(x.message for x in hd.evaluate_other(
        {"content-security-policy": ["default-src 'self' script-src 'self'; scirpt-src 'self'"]}, True))
    assert "a `;` is probably missing" in msgs
    assert "`scirpt-src`" in msgs and "did you mean `script-src`" in msgs
    msgs = " ".join(x.message for x in hd.evaluate_other({"content-security-policy": ["default-src self"]}, True))
    assert "'self'" in msgs and "single quotes" in msgs


def test_upgrade_insecure_requests_is_read_from_any_policy():
    assert cs.has_upgrade(["default-src 'self', upgrade-insecure-requests"])
    assert not cs.has_upgrade(["default-src 'self'"])


# ---------------------------------------------------------------------------- framing


def test_csp3_6_4_2_frame_ancestors_star_overrides_x_frame_options_deny():
    got = codes(hd.evaluate_other({"content-security-policy": ["default-src 'self'; frame-ancestors *"],
                                   "x-frame-options": ["DENY"]}, True))
    assert ("warn", "frame_ancestors_open") in got and ("pass", "frame") not in got
    [f] = [x for x in hd.evaluate_other({"content-security-policy": ["default-src 'self'; frame-ancestors *"],
                                         "x-frame-options": ["DENY"]}, True) if x.code == "frame_ancestors_open"]
    assert "ignore it" in f.why and "frame-ancestors 'none'" in f.fix


def test_csp3_6_4_2_frame_ancestors_none_wins_over_missing_xfo():
    got = codes(hd.evaluate_other({"content-security-policy": ["default-src 'self'; frame-ancestors 'none'"]}, True))
    assert ("pass", "frame") in got


def test_html_xfo_repeated_value_counts_once_and_conflicts_block_framing():
    same = hd.evaluate_other({"x-frame-options": ["DENY, DENY"]}, True)
    [f] = [x for x in same if x.code == "frame"]
    assert f.severity == "pass" and "that works" in f.message
    assert ("info", "frame_conflict") in codes(hd.evaluate_other({"x-frame-options": ["DENY", "SAMEORIGIN"]}, True))
    assert ("warn", "frame_missing") in codes(hd.evaluate_other({"x-frame-options": ["ALLOW-FROM https://x"]}, True))


# ---------------------------------------------------------------------------- nosniff


def test_fetch_nosniff_sent_twice_works_and_says_so():
    lines = hd.evaluate_other({"x-content-type-options": ["nosniff, nosniff"]}, True)
    [f] = [x for x in lines if x.code == "nosniff"]
    assert f.severity == "pass" and "that works" in f.message and "no header" not in f.message
    lines = hd.evaluate_other({"x-content-type-options": ["nosniff", "nosniff"]}, True)
    assert ("pass", "nosniff") in codes(lines)


def test_fetch_nosniff_only_the_first_value_counts():
    assert ("warn", "nosniff_invalid") in codes(hd.evaluate_other({"x-content-type-options": ["sniff, nosniff"]}, True))
    assert ("pass", "nosniff") in codes(hd.evaluate_other({"x-content-type-options": ["NoSniff"]}, True))


# ---------------------------------------------------------------------------- Referrer-Policy


def referrer(*lines):
    return codes(hd.evaluate_referrer(list(lines)))


def test_referrer_policy_missing_is_a_note_default_is_strict_origin_when_cross_origin():
    [f] = hd.evaluate_referrer([])
    assert f.severity == "info" and "strict-origin-when-cross-origin" in f.message


def test_referrer_policy_8_1_unknown_tokens_are_ignored_and_named():
    assert referrer("no-referer") == {("info", "referrer_unknown"), ("info", "referrer_none")}
    msg = " ".join(x.message for x in hd.evaluate_referrer(["no-referer"]))
    assert "`no-referer`" in msg and "did you mean `no-referrer`" in msg
    assert referrer("foo, strict-origin") == {("info", "referrer_unknown"), ("pass", "referrer")}


def test_referrer_policy_8_1_last_known_token_wins():
    assert referrer("unsafe-url, strict-origin-when-cross-origin") == {("pass", "referrer")}
    assert referrer("no-referrer", "unsafe-url") == {("warn", "referrer_weak")}


@pytest.mark.parametrize("weak", ["unsafe-url", "no-referrer-when-downgrade", "Unsafe-URL"])
def test_referrer_policy_weak_values_are_flagged(weak):
    assert referrer(weak) == {("warn", "referrer_weak")}
    [f] = hd.evaluate_referrer([weak])
    assert "strict-origin-when-cross-origin" in f.fix and "vercel.json" in f.fix


# ---------------------------------------------------------------------------- cookies (RFC 6265bis)


def cookie_codes(*values):
    return codes(hd.evaluate_cookies(list(values))[0])


def test_6265bis_5_6_7_unknown_samesite_counts_as_none():
    c = hd.parse_set_cookie("sid=x; Secure; HttpOnly; SameSite=Laxx")
    assert c["samesite"] is None and c["samesite_ignored"] == "laxx"
    got = cookie_codes("sid=x; Secure; HttpOnly; SameSite=Laxx")
    assert ("warn", "cookie_samesite") in got and ("pass", "cookie") not in got
    assert ("info", "cookie_samesite_unknown") in got


@pytest.mark.parametrize("value", [
    "__Host-sid=x; Secure; HttpOnly; SameSite=Lax",  # no Path=/
    "__Host-sid=x; Path=/app; Secure; HttpOnly; SameSite=Lax",  # Path not /
    "__Host-sid=x; Path=/; Domain=acme.test; Secure; HttpOnly; SameSite=Lax",  # Domain=
    "__Host-sid=x; Path=/; HttpOnly; SameSite=Lax",  # no Secure
    "__Secure-sid=x; Path=/; HttpOnly; SameSite=Lax",  # no Secure
    "__secure-theme=dark; Path=/",  # prefixes match case-insensitively, any cookie
])
def test_6265bis_4_1_3_prefix_rules_rejected_by_browsers_fail(value):
    got = cookie_codes(value)
    assert ("fail", "cookie_prefix_rejected") in got, got
    assert ("pass", "cookie") not in got
    [f] = [x for x in hd.evaluate_cookies([value])[0] if x.code == "cookie_prefix_rejected"]
    assert "logged out" in f.why and f.fix


def test_6265bis_prefixes_that_follow_the_rules_pass():
    assert cookie_codes("__Host-sid=x; Path=/; Secure; HttpOnly; SameSite=Lax") == {("pass", "cookie")}
    assert cookie_codes("__Secure-sid=x; Path=/; Domain=acme.test; Secure; HttpOnly; SameSite=Strict") == \
        {("pass", "cookie")}


def test_6265bis_samesite_none_without_secure_is_rejected():
    assert ("fail", "cookie_samesite_none") in cookie_codes("session=x; HttpOnly; SameSite=None")
    assert cookie_codes("prefs=x; SameSite=None") == {("warn", "cookie_samesite_none"), ("info", "cookie_note")}


def test_session_cookies_stay_flagged_other_cookies_are_noted():
    assert {s for s, _ in cookie_codes("sessionid=x")} >= {"fail"}
    assert cookie_codes("theme=dark") == {("info", "cookie_note")}
    assert cookie_codes("theme=dark; Secure; HttpOnly") == set()


def test_csp3_unparsed_policy_names_the_typo_in_the_fix():
    [f] = [x for x in hd.evaluate_other({"content-security-policy": ["defualt-src 'self'"]}, True)
           if x.code == "csp_unparsed"]
    assert "did you mean `default-src`" in f.message and f.fix.startswith("Change `defualt-src` to `default-src`.")


def test_where_the_csp_header_is_set_is_said_once_in_the_result():
    from types import SimpleNamespace

    lines, _ev = hd.evaluate(SimpleNamespace(
        headers=[("Content-Security-Policy", "script-src 'unsafe-inline' 'unsafe-eval' *"),
                 ("Content-Type", "text/html")],
        body=b"<!doctype html>", truncated=False, status=200,
        header=lambda n: {"content-type": "text/html"}.get(n)), "http://acme.test/")
    from launchready_tui.core.checks._csp import WHERE

    bad = [x for x in lines if x.code.startswith("csp_") and x.severity == "warn"]
    assert len(bad) == 3
    fix = hd.combine_fixes(bad)
    assert fix.count(WHERE) == 1 and fix.endswith(WHERE) and fix.count("delete `'unsafe-inline'`") == 1
