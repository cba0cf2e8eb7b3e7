"""Golden files: the handover of a fixed state with fixed results, in both formats.

When the layout changes on purpose, regenerate with
`UPDATE_GOLDEN=1 python -m pytest -q tests/unit/test_export_golden.py` and read the diff.
"""

from __future__ import annotations

import os

import pytest

from launchready_tui.core.export import render_html, render_incident_note, render_markdown
from tests.unit.export_fixtures import GOLDEN, INCIDENT, handover, profile, runbooks

CASES = {
    "handover.md": lambda: render_markdown(handover()),
    "handover.html": lambda: render_html(handover()),
    "incident-note.md": lambda: render_incident_note(
        INCIDENT, incident_id=INCIDENT["id"], runbook=next(b for b in runbooks() if b.id == "deploy-failure"),
        profile=profile(), fmt="md", now=None),
    "incident-note.html": lambda: render_incident_note(
        INCIDENT, incident_id=INCIDENT["id"], runbook=next(b for b in runbooks() if b.id == "deploy-failure"),
        profile=profile(), fmt="html", now=None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    got = CASES[name]()
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8")
    assert got == want, f"{name} changed; if on purpose, regenerate with UPDATE_GOLDEN=1 and review the diff"


def test_rendering_twice_gives_the_same_bytes():
    assert render_markdown(handover()) == render_markdown(handover())
    assert render_html(handover()) == render_html(handover())
