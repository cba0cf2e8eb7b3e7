"""Render check results as text (for people), JSON (for tools) or JUnit XML (for CI)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from launchready_tui.core.results import LABEL, SYMBOL, CheckResult, Status, count

JSON_VERSION = 1


def render_json(results: list[CheckResult], project: str, *, generated_at: str | None = None,
                extra: dict[str, Any] | None = None, problems: list | None = None) -> str:
    """`problems` (core/problems.py, ranked) adds the `problems` list and
    `counts.problems`; `results` and the status counts stay as they are."""
    if problems is None:
        from launchready_tui.core.problems import derive

        problems = derive(results)
    counts: dict[str, int] = dict(count(results))
    counts["problems"] = len(problems)
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "project": project,
        "generated_at": generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "results": [r.to_dict() for r in results],
        "counts": counts,
        "problems": [p.to_dict() for p in problems],
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


def _results_time(results: list[CheckResult]) -> str:
    times = sorted(r.started_at for r in results if r.started_at)
    return times[0] if times else ""


def render_blockers(problems: list, *, color: bool = False, accepted: list | None = None) -> list[str]:
    """The "Launch blockers" section: each problem once, worst first, with its fix and
    the command that checks it again, under its impact level."""
    from launchready_tui.core.problems import verdict

    n = len(problems)
    head = f"Launch blockers: {n} problem{'s' if n != 1 else ''}, worst first"
    lines = [head, "=" * len(head), verdict(problems), ""]
    last_level = None
    fix_shown: dict[str, int] = {}
    for p in problems:
        if p.level != last_level:
            from launchready_tui.core.problems import LEVELS

            lines.append(LEVELS[p.level][0].upper() + LEVELS[p.level][1:])
            last_level = p.level
        sym = f"{SYMBOL[p.status]} {LABEL[p.status]}"
        if color:
            sym = f"{_COLOURS[p.status]}{sym}{_RESET}"
        scope = [w for w in (p.environment if p.environment != "production" else "",
                             "internal" if p.audience == "internal" else "") if w]
        where = f" ({', '.join(scope)})" if scope else ""
        lines.extend(_hang(f"{p.rank:>4}. {sym}  {p.title}{where}", "        "))
        extra = []
        if p.owner or p.priority:
            extra.append(f"Owner: {p.owner or 'nobody yet'}; priority: {p.priority or 'not set'}")
        if p.also:
            extra.append(f"Also explains {len(p.also)} other finding(s) on this host")
        for e in extra:
            lines.extend(_wrap(e, "        "))
        if p.fix and p.fix in fix_shown:  # one result's fix covers its several findings
            lines.append(f"        How to fix: see #{fix_shown[p.fix]} (the same steps fix both)")
        elif p.fix:
            fix_shown[p.fix] = p.rank
            lines.extend(_wrap("How to fix: " + p.fix, "        "))
        lines.append(f"        Check again: {p.command}")
    if accepted:
        lines.append(f"Accepted for now in .launchready/allow.yaml ({len(accepted)}), not counted above:")
        for p in accepted:
            lines.extend(_wrap(f"- {p.title} (until {p.accepted_until}; id {p.id})", "  "))
    lines.append("")
    return lines


def _hang(text: str, indent: str, width: int = 96) -> list[str]:
    """One paragraph whose first line starts at the margin and the rest at indent."""
    import textwrap

    return textwrap.wrap(text, width=width, subsequent_indent=indent) or [text]


COLLAPSE_PASSES = 3  # this many passing targets of one kind in one step print as one line


def render_text(results: list[CheckResult], project: str, *, color: bool = False,
                titles: dict[str, str] | None = None, verbose: bool = False,
                problems: list | None = None, brief: bool = False, accepted: list | None = None) -> str:
    """The launch blockers first (each problem once, ranked, with its fix), then the
    per-stage detail grouped by stage and step, where each failing result points at its
    blocker instead of repeating the fix. `titles` maps "runbook" and "runbook/step" ids
    to human titles. `brief` prints only the blockers."""
    if problems is None:
        from launchready_tui.core.problems import derive

        problems = derive(results)
    blocker_of: dict[str, list[int]] = {}
    for p in problems:
        for key in p.results:
            blocker_of.setdefault(key, []).append(p.rank)
    titles = titles or {}
    lines = [f"LaunchReady report for {project}"]
    at = _results_time(results)
    if at:
        lines.append(f"Results from {at}")
    lines.append("")
    lines.extend(render_blockers(problems, color=color, accepted=accepted))
    c = count(results)
    summary = (
        f"Summary: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
        f"from {len(results)} check results ("
        + ", ".join(f"{c[s.value]} {LABEL[s]}" for s in (Status.PASS, Status.WARN, Status.FAIL, Status.ERROR,
                                                         Status.SKIP))
        + ")"
    )
    if brief:
        lines.append(summary)
        return "\n".join(lines) + "\n"
    lines.extend(["Details by stage", "================", ""])
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
        passes: dict[str, list[CheckResult]] = {}
        for r in rs:
            if r.status == Status.PASS:
                passes.setdefault(r.check, []).append(r)
        for r in rs:
            many = passes.get(r.check, [])
            if not verbose and r.status == Status.PASS and len(many) >= COLLAPSE_PASSES:
                # Several targets of one kind that all passed: one line (`-v` lists each).
                if r is many[0]:
                    sym = f"{SYMBOL[r.status]} {LABEL[r.status]}"
                    if color:
                        sym = f"{_COLOURS[r.status]}{sym}{_RESET}"
                    names = ", ".join(x.target for x in many[:6]) + (f" and {len(many) - 6} more" if len(many) > 6 else "")
                    lines.append(f"    {sym}  [{r.check}] {len(many)} passed: {names} (-v lists each)")
                continue
            sym = f"{SYMBOL[r.status]} {LABEL[r.status]}"
            if color:
                sym = f"{_COLOURS[r.status]}{sym}{_RESET}"
            rank = blocker_of.get(r.key)
            see = f"  (blocker{'s' if rank and len(rank) > 1 else ''} {', '.join(f'#{n}' for n in rank)})" if rank else ""
            lines.append(f"    {sym}  [{r.check}] {r.summary}{see}")
            if r.status in (Status.WARN, Status.FAIL, Status.ERROR) and not rank:
                if r.why:
                    lines.extend(_wrap("Why it matters: " + r.why, "        "))
                if r.fix:
                    lines.extend(_wrap("How to fix: " + r.fix, "        "))
            if verbose and r.evidence:
                lines.extend(_wrap("Evidence: " + json.dumps(r.evidence, ensure_ascii=False)[:600], "        "))
        lines.append("")
    lines.append(summary)
    if c["error"]:
        lines.append("'could not check' means the check did not get an answer: it is not a pass.")
    return "\n".join(lines) + "\n"


def render_junit(results: list[CheckResult], project: str, *, total_s: float | None = None) -> str:
    """JUnit XML. The root carries the run's total time: `total_s` (the wall-clock time
    of the run, checks run concurrently) when known, else the sum of the checks' times."""
    from xml.sax.saxutils import escape, quoteattr

    c = count(results)
    if total_s is None:
        total_s = sum(r.duration_ms for r in results) / 1000
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={quoteattr("launchready: " + project)} tests="{len(results)}" '
        f'failures="{c["fail"]}" errors="{c["error"]}" skipped="{c["skip"]}" time="{total_s:.3f}">',
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
