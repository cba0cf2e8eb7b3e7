"""Render check results as text (for people), JSON (for tools) or JUnit XML (for CI)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from launchready_tui.core.results import LABEL, SYMBOL, CheckResult, Status, count

JSON_VERSION = 1


def render_json(results: list[CheckResult], project: str, *, generated_at: str | None = None,
                extra: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "project": project,
        "generated_at": generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "results": [r.to_dict() for r in results],
        "counts": count(results),
    }
    if extra:
        doc.update(extra)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_COLOURS = {
    Status.PASS: "\033[32m",
    Status.WARN: "\033[33m",
    Status.FAIL: "\033[31m",
    Status.ERROR: "\033[35m",
    Status.SKIP: "\033[2m",
}
_RESET = "\033[0m"


def _wrap(text: str, indent: str, width: int = 96) -> list[str]:
    import textwrap

    out: list[str] = []
    for para in str(text).splitlines() or [""]:
        out.extend(textwrap.wrap(para, width=width, initial_indent=indent, subsequent_indent=indent) or [indent])
    return out


def render_text(results: list[CheckResult], project: str, *, color: bool = False,
                titles: dict[str, str] | None = None, verbose: bool = False) -> str:
    """Grouped by stage and step, the fix under each problem. `titles` maps
    "runbook" and "runbook/step" ids to human titles."""
    titles = titles or {}
    lines = [f"LaunchReady report for {project}", ""]
    groups: dict[tuple, list[CheckResult]] = {}
    for r in results:
        groups.setdefault((r.stage if r.stage is not None else 99, r.runbook, r.step), []).append(r)
    last_rb = None
    for (_stage, rb, step), rs in groups.items():
        if rb != last_rb:
            head = titles.get(rb, rb)
            lines.append(head)
            lines.append("=" * min(len(head), 80))
            last_rb = rb
        lines.append(f"  {titles.get(f'{rb}/{step}', step)}")
        for r in rs:
            sym = f"{SYMBOL[r.status]} {LABEL[r.status]}"
            if color:
                sym = f"{_COLOURS[r.status]}{sym}{_RESET}"
            lines.append(f"    {sym}  [{r.check}] {r.summary}")
            if r.status in (Status.WARN, Status.FAIL, Status.ERROR):
                if r.why:
                    lines.extend(_wrap("Why it matters: " + r.why, "        "))
                if r.fix:
                    lines.extend(_wrap("How to fix: " + r.fix, "        "))
            if verbose and r.evidence:
                lines.extend(_wrap("Evidence: " + json.dumps(r.evidence, ensure_ascii=False)[:600], "        "))
        lines.append("")
    c = count(results)
    lines.append(
        "Summary: "
        + ", ".join(f"{c[s.value]} {LABEL[s]}" for s in (Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP))
    )
    if c["error"]:
        lines.append("'could not check' means the check did not get an answer: it is not a pass.")
    return "\n".join(lines) + "\n"


def render_junit(results: list[CheckResult], project: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    c = count(results)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={quoteattr("launchready: " + project)} tests="{len(results)}" '
        f'failures="{c["fail"] + c["warn"] * 0}" errors="{c["error"]}" skipped="{c["skip"]}">',
    ]
    by_rb: dict[str, list[CheckResult]] = {}
    for r in results:
        by_rb.setdefault(r.runbook or "checks", []).append(r)
    for rb, rs in by_rb.items():
        cc = count(rs)
        time_s = sum(r.duration_ms for r in rs) / 1000
        out.append(
            f'  <testsuite name={quoteattr(rb)} tests="{len(rs)}" failures="{cc["fail"]}" '
            f'errors="{cc["error"]}" skipped="{cc["skip"]}" time="{time_s:.3f}">'
        )
        for r in rs:
            name = f"{r.step}: {r.check} {r.target}"
            out.append(
                f'    <testcase classname={quoteattr(f"{rb}.{r.step}")} name={quoteattr(name)} '
                f'time="{r.duration_ms / 1000:.3f}">'
            )
            body = f"{r.summary}\nWhy: {r.why}\nFix: {r.fix}"
            if r.status == Status.FAIL:
                out.append(f"      <failure message={quoteattr(r.summary)}>{escape(body)}</failure>")
            elif r.status == Status.ERROR:
                out.append(f"      <error message={quoteattr(r.summary)}>{escape(body)}</error>")
            elif r.status == Status.SKIP:
                out.append(f"      <skipped message={quoteattr(r.summary)}/>")
            elif r.status == Status.WARN:
                out.append(f"      <system-out>{escape('WARNING: ' + body)}</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
