"""The demo's repository shows stage 2's gaps; after `launchready ci init` in a copy of it
and one rollback drill, `deploy_config` passes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from launchready_tui.lab import Lab
from launchready_tui.lab.demo import demo_world

pytestmark = pytest.mark.integration


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "launchready_tui", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def deploy_setup(cwd):
    p = cli("check", "--runbook", "deploy-path", "--step", "one-command", "--format", "json", cwd=cwd)
    (r,) = [r for r in json.loads(p.stdout)["results"] if r["check"] == "deploy_config"]
    return r


def test_demo_repository_gaps_then_ci_init_closes_them(tmp_path):
    with Lab(demo_world(), tmp_path / "demo") as lab:
        before = deploy_setup(lab.dir)
        assert before["status"] == "warn", before["summary"]
        ids = {f["id"] for f in before["evidence"]["findings"]}
        assert ids == {"no-env-check", "no-smoke-test", "no-secret-scan", "no-dependency-audit",
                       "rollback-never-drilled"}
        assert "Vercel" in before["evidence"]["hosting"]

        copy = tmp_path / "copy"
        shutil.copytree(lab.dir, copy, ignore=shutil.ignore_patterns(".launchready"))
        init = cli("ci", "init", cwd=copy)
        assert init.returncode == 0, init.stderr
        drill = cli("check", "--runbook", "deploy-path", "--step", "rollback", "--yes", "--format", "json", cwd=copy)
        assert drill.returncode in (0, 1), drill.stderr
        after = deploy_setup(copy)
    assert after["status"] == "pass", after["evidence"]["findings"]
