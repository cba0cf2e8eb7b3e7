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
