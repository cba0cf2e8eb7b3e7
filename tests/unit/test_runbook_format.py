import pytest

from launchready_tui.core.errors import RunbookError
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.runbook import (
    CheckSpec,
    Command,
    Confirm,
    Record,
    TemplateMissing,
    parse_runbook,
    render,
)

GOOD = """\
---
id: edge
title: Protect the edge
stage: 3
goal: Stop trust problems before they reach the app.
summary: DNS, redirects and certificates.
covers: [ssl-forced]
---
# Protect the edge

Intro text.

## Every host resolves {#dns}

Why this matters: people must reach you.

```check
kind: dns
targets: ["{{ domain }}", "{{ hosts.app }}"]
```

```confirm
I looked at the DNS records in the dashboard.
```

## Who renews certificates

```record
id: certs
fields:
  - {id: cert_renewer, label: Who renews the certificates, type: owner}
  - Notes
```

```confirm
id: tested
text: The rollback was tested.
blocker: true
```

```command
run: "{{ deploy.rollback }}"
budget_min: 10
```

```bash
echo this is just an example
```
"""


def test_parse_good_runbook():
    rb = parse_runbook(GOOD, "runbooks/03-edge.md")
    assert (rb.id, rb.stage, rb.kind) == ("edge", 3, "stage")
    assert [s.id for s in rb.steps] == ["dns", "who-renews-certificates"]
    dns, certs = rb.steps
    assert isinstance(dns.blocks[0], CheckSpec) and dns.blocks[0].kind == "dns"
    assert dns.blocks[0].line == GOOD.splitlines().index("```check") + 1
    assert isinstance(dns.blocks[1], Confirm) and not dns.blocks[1].blocker
    rec, conf, cmd = certs.blocks
    assert isinstance(rec, Record) and [f.id for f in rec.fields] == ["cert_renewer", "notes"]
    assert isinstance(conf, Confirm) and conf.blocker and conf.id == "tested"
    assert isinstance(cmd, Command) and cmd.budget_min == 10
    assert "```bash" in certs.markdown  # ordinary code stays as Markdown for people


def _err(text: str) -> RunbookError:
    with pytest.raises(RunbookError) as e:
        parse_runbook(text, "rb.md")
    return e.value


def test_bad_yaml_in_check_block_has_line():
    text = GOOD.replace("kind: dns\n", "kind: dns\n  bad: [\n")
    e = _err(text)
    assert e.problems[0].file == "rb.md"
    assert e.problems[0].line is not None and e.problems[0].line > 15
    assert "YAML" in e.problems[0].message


def test_unknown_check_kind_with_hint():
    e = _err(GOOD.replace("kind: dns", "kind: dnss"))
    assert "unknown check kind 'dnss'" in str(e) and "did you mean 'dns'" in str(e)
    assert e.problems[0].line == GOOD.splitlines().index("```check") + 1


def test_unknown_template_variable():
    e = _err(GOOD.replace("{{ hosts.app }}", "{{ host.app }}"))
    assert "unknown template variable" in str(e)


def test_duplicate_step_ids():
    e = _err(GOOD.replace("## Who renews certificates", "## Again {#dns}"))
    assert "duplicate step id 'dns'" in str(e)


def test_unknown_block_kind_close_to_ours():
    e = _err(GOOD.replace("```confirm\nI looked", "```confrim\nI looked"))
    assert "unknown block kind 'confrim'" in str(e)


def test_missing_front_matter_and_stage():
    e = _err("# no front matter\n## Step\n")
    assert "front matter" in str(e)
    e = _err(GOOD.replace("stage: 3\n", ""))
    assert any(p.field == "stage" for p in e.problems)
    e = _err(GOOD.replace("stage: 3", "stage: 9"))
    assert "1 to 7" in str(e)


def test_incident_kind():
    rb = parse_runbook(GOOD.replace("stage: 3", "kind: incident"), "rb.md")
    assert rb.kind == "incident" and rb.stage is None


def test_all_problems_reported_at_once():
    text = GOOD.replace("kind: dns", "kind: nope").replace("{{ deploy.rollback }}", "{{ nope }}")
    assert len(_err(text).problems) == 2


def test_templating_fills_values_and_lists():
    p = parse_profile(
        "project: X\ndomain: x.example\nhosts: {app: app.x.example}\nmonitor: [https://x.example/]\n"
    )
    assert render("{{ domain }}", p) == "x.example"
    assert render(["{{ domain }}", "{{ hosts.app }}"], p) == ["x.example", "app.x.example"]
    assert render(["{{ monitor }}"], p) == ["https://x.example/"]
    assert render({"u": "https://{{ hosts.app }}/health"}, p) == {"u": "https://app.x.example/health"}
    with pytest.raises(TemplateMissing) as e:
        render("{{ deploy.rollback }}", p)
    assert e.value.var == "deploy.rollback"
