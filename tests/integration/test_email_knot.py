"""The benchmark's SPF/DMARC cases, served by a real knotd: LaunchReady's verdict on each
matches what the RFC says (the truth column of bench/email.py). checkdmarc is not needed."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.knot]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "email.py"


@pytest.fixture(scope="module")
def bench():
    if not (shutil.which("knotd") or Path("/usr/sbin/knotd").exists()):
        pytest.skip("knotd is not installed (apt-get install knot)")
    spec = importlib.util.spec_from_file_location("launchready_bench_email", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def knot(bench):
    records = list(bench.SHARED) + [r for c in bench.CASES for r in c.records]
    records.append(("s1._domainkey.full.test", "TXT", bench._key_record()))
    with bench.Knot(records) as k:
        yield k


def test_every_case_matches_the_rfc(bench, knot):
    wrong = []
    for c in bench.CASES:
        r = asyncio.run(bench.lr_check(c.kind, bench._ctx(bench._profile(c.domain), knot.port)))
        valid, lookups = bench.lr_verdict(c.kind, r)
        if valid != c.valid or (c.lookups is not None and lookups != c.lookups):
            wrong.append(f"{c.name}: got {valid}/{lookups}, RFC {c.valid}/{c.lookups} ({r.summary})")
    assert not wrong, wrong
    assert len(bench.CASES) >= 12


def test_full_check_of_a_launched_domain(bench, knot):
    results = asyncio.run(bench.lr_full(bench._profile("full.test"), knot.port))
    by = {r.check: r for r in results}
    assert by["spf"].status.value == "pass" and by["spf"].evidence["lookup_count"] == 6
    assert by["mx"].status.value == "pass"
    assert by["dmarc"].status.value == "pass"
    assert by["dkim"].status.value == "pass" and by["dkim"].evidence["key_bits"] == 2048
