"""`--format sarif` validates against the official SARIF 2.1.0 JSON schema, places secret
findings on their file and line, and keeps values out.

The schema is the OASIS SARIF 2.1.0 (rtm.5) schema as shipped in Microsoft's
`@microsoft/jest-sarif` npm package, fetched once with `npm pack` into build/ (git-ignored).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "sarif-schema"
SCHEMA_IN_PACKAGE = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    target = CACHE / "sarif-2.1.0-rtm.5.json"
    if not target.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed once to fetch the SARIF schema (`npm pack @microsoft/jest-sarif`)")
        CACHE.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([npm, "pack", "@microsoft/jest-sarif@1.0.0-beta.0", "--pack-destination", str(CACHE)],
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        tgz = next(CACHE.glob("microsoft-jest-sarif-*.tgz"))
        with tarfile.open(tgz) as tf:
            member = tf.getmember(SCHEMA_IN_PACKAGE)
            target.write_bytes(tf.extractfile(member).read())  # type: ignore[union-attr]
    return json.loads(target.read_text(encoding="utf-8"))


def test_sarif_output_validates_and_points_at_file_and_line(tmp_path, sarif_schema):
    import jsonschema

    key = "sk_" + "live_" + "51Sarif" + "Q7xZ9kP2mN4vB8cR1tY6wE3uA0"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "pay.js").write_text(f"const a = 1;\nconst stripe = '{key}';\n", encoding="utf-8")
    (tmp_path / "fly.toml").write_text('app = "x"\n', encoding="utf-8")
    (tmp_path / "launchready.yaml").write_text(
        "project: T\ndomain: acme.example\ncode:\n  paths: [src]\n", encoding="utf-8")
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "s.md").write_text(
        "---\nid: s\ntitle: S\nstage: 5\ngoal: g\nsummary: s\n---\n\n## Scan {#scan}\n\n```check\nkind: secrets\n"
        "areas: [code]\n```\n\n## Deploy setup {#deploy}\n\n```check\nkind: deploy_config\n```\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "launchready_tui", "check", "--profile", str(tmp_path / "launchready.yaml"),
                        "--runbooks", str(rb), "--format", "sarif"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    jsonschema.validate(doc, sarif_schema)
    results = doc["runs"][0]["results"]
    secret = [r for r in results if r["ruleId"].startswith("secrets/")]
    assert secret and secret[0]["level"] == "error"
    loc = secret[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/pay.js" and loc["region"]["startLine"] == 2
    assert "launchready/v1" in secret[0]["partialFingerprints"]
    deploy = [r for r in results if r["ruleId"].startswith("deploy_config/")]
    assert any(r["ruleId"] == "deploy_config/no-deploy-job" for r in deploy)
    assert key not in p.stdout and key[8:20] not in p.stdout
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert all(r["ruleId"] == rule_ids[r["ruleIndex"]] for r in results)


def test_could_not_check_is_open_not_a_failure(tmp_path, sarif_schema):
    import jsonschema

    from launchready_tui.core.profile import parse_profile
    from launchready_tui.core.results import errored, passed
    from launchready_tui.core.sarif import render_sarif

    prof = parse_profile("project: T\ndomain: acme.example\n", str(tmp_path / "launchready.yaml"))
    doc = json.loads(render_sarif([errored("tls", "acme.example", "timed out"), passed("dns", "x", "ok")], prof))
    jsonschema.validate(doc, sarif_schema)
    (r,) = doc["runs"][0]["results"]
    assert r["kind"] == "open" and r["level"] == "none"
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "launchready.yaml"
