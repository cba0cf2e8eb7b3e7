"""core/redact.py: one module hides known values, URL secrets and what the secret
scanner's rules find (issue 20)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, urlsplit

import pytest

from launchready_tui.core.guard import CredentialRefused, check_request
from launchready_tui.core.redact import Redactor, clean_url, scrub
from launchready_tui.core.results import failed
from launchready_tui.core.state import StateStore

GH = "ghp_" + "Q7mK2xP9vL4zR8tB1wY6nC3dF5gH0jS2aE4u"
PW = "pgPw" + "9Kq3Lz7Xc2Vb"


@pytest.mark.parametrize("url,want", [
    ("https://user:pa55w0rd@acme.example/x", "https://acme.example/x"),
    ("https://acme.example/a?token=abc123&page=2", "https://acme.example/a?token=redacted&page=2"),
    ("https://acme.example/?key=k&api_key=a&access_token=t&password=p&sig=s&X-Amz-Signature=z",
     "https://acme.example/?key=redacted&api_key=redacted&access_token=redacted&password=redacted"
     "&sig=redacted&X-Amz-Signature=redacted"),
    ("https://acme.example/plain?page=2#top", "https://acme.example/plain?page=2#top"),
    ("acme.example", "acme.example"),
])
def test_clean_url(url, want):
    assert clean_url(url) == want
    assert urlsplit(clean_url(url)).hostname in (None, "acme.example")


def test_scrub_finds_what_nobody_told_us():
    text = (f"remote: https://x-access-token:{GH}@github.com/acme/app.git\n"
            f"DATABASE_URL=postgres://app:{PW}@db.internal:5432/app\ntoken {GH}\n")
    out = scrub(text)
    assert GH not in out and PW not in out
    assert "db.internal:5432/app" in out and "github.com/acme/app.git" in out


def test_known_values_in_every_form():
    secret = "s3cr3t-" + "VALUE-9x8y7z"
    red = Redactor([("stripe", secret)])
    for form in (secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()):
        assert red.text(f"got {form} here") == "got [redacted:stripe] here"
    assert Redactor([("pin", "1234")]).text("pin 1234") == "pin 1234"  # too short to hide everywhere


def test_result_is_redacted_and_its_target_stays_a_url():
    r = failed("uptime", f"https://admin:{PW}@acme.example/health", f"down: token {GH}",
               evidence={"url": f"https://acme.example/?token={PW}", "nested": [{"x": GH}]},
               why="w", fix=f"rotate {GH}")
    Redactor().result(r)
    blob = json.dumps(r.to_dict())
    assert GH not in blob and PW not in blob
    assert r.target == "https://acme.example/health" and urlsplit(r.target).hostname == "acme.example"


def test_state_never_stores_a_secret_even_from_a_caller_that_forgot(tmp_path):
    s = StateStore(tmp_path)
    s.save_results([{"check": "command", "target": f"https://u:{PW}@acme.example/", "status": "fail",
                     "summary": "x", "evidence": {"output_tail": [f"token {GH}"]}, "started_at": "t"}])
    s.append_history({"kind": "run", "note": f"postgres://app:{PW}@db/app"})
    text = (tmp_path / "state.json").read_text() + (tmp_path / "history.jsonl").read_text()
    assert GH not in text and PW not in text


def test_guard_refuses_credentials_off_scope():
    scope = {"acme.example", "app.acme.example"}.__contains__
    check_request(scope, "app.acme.example", {"Authorization": "Bearer x"})
    check_request(scope, "app.acme.example", {"X-Api-Key": "k"})
    check_request(scope, "evil.example", {"Accept": "*/*"})  # no credential: fine
    for headers in ({"Authorization": "x"}, [(b"Cookie", b"a=b")], {"x-api-key": "k"}):
        with pytest.raises(CredentialRefused):
            check_request(scope, "evil.example", headers)
    with pytest.raises(CredentialRefused):
        check_request(None, "app.acme.example", {"Authorization": "x"})  # no scope: nowhere


def test_a_planned_key_names_its_redacted_result():
    from launchready_tui.core.recorder import ResultKey

    raw = f"https://admin:{PW}@acme.example/status?token={PW}"
    r = failed("uptime", raw, "down", why="w", fix="f")
    r.runbook, r.step, r.check_id = "rb", "st", "up"
    Redactor().result(r)
    assert str(ResultKey("rb", "st", "up", raw)) == str(ResultKey.of(r))
    assert PW not in str(ResultKey("rb", "st", "up", raw))


def test_account_tokens_from_credential_env_are_known_secrets(tmp_path):
    """A CI token read through `credential_env` is hidden like a keyring value, even in the
    text of an unexpected exception."""
    from launchready_tui.core import redact
    from launchready_tui.core.profile import parse_profile

    token = "cf-" + "ci-" + "Zq8Wx7Ec6Rv5Tb4Yn3"
    prof = parse_profile("project: T\ndomain: acme.example\ncloudflare:\n  credential_env: CF_TOKEN_FOR_TEST\n",
                         str(tmp_path / "launchready.yaml"))
    assert redact.account_env_secrets(prof, {"CF_TOKEN_FOR_TEST": token}) == [("CF_TOKEN_FOR_TEST", token)]
    assert redact.account_env_secrets(prof, {}) == []
    red = redact.Redactor(redact.account_env_secrets(prof, {"CF_TOKEN_FOR_TEST": token}))
    assert token not in red.text(f"ValueError: bad answer for {token}")
