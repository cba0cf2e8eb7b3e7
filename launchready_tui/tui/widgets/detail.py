"""The detail panel: what the selected check saw, why it matters, how to fix it.

One Static with styled content rather than a dozen widgets: the panel is on the first
frame. Text from outside (summaries, evidence from remote servers) goes in as template
variables, never as markup, so a `[` in a TXT record cannot restyle or break the panel.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.widgets.sidebar import STATUS_STYLE
from launchready_tui.tui.widgets.status import badge_text

EMPTY = (
    "Select a check to see what was found and how to fix it: click it, or press Tab "
    "until it is highlighted."
)


_HIDDEN_KEYS = {"findings"}  # shown as their own section, each with its fix
_MAX_ROWS = 12
TABLE_WIDTH = 34  # the side panel's width at 120 columns: wider tables become one line a row


def _plain(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _key(k) -> str:
    return str(k).replace("_", " ")


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(rows: list[dict], indent: str) -> list[str]:
    """A list of records as an aligned table: the columns most rows have, at most 4."""
    cols: list[str] = []
    for r in rows:
        for k, v in r.items():
            if k not in cols and not isinstance(v, dict | list):
                cols.append(k)
    cols = cols[:4]
    if not cols:
        return [f"{indent}{len(rows)} entries"]
    cells = [[_cut(_plain(r.get(c, "")), 60) for c in cols] for r in rows[:_MAX_ROWS]]
    widths = [max(len(_key(c)), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    if sum(widths) + 2 * len(widths) + len(indent) > TABLE_WIDTH:  # would wrap in the side panel
        out = [f"{indent}• " + "; ".join(f"{_key(c)}: {x}" for c, x in zip(cols, row, strict=True) if x)
               for row in cells]
        if len(rows) > _MAX_ROWS:
            out.append(f"{indent}… and {len(rows) - _MAX_ROWS} more")
        return out
    out = [indent + "  ".join(_key(c).ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    out.append(indent + "  ".join("─" * w for w in widths))
    out += [indent + "  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    if len(rows) > _MAX_ROWS:
        out.append(f"{indent}… and {len(rows) - _MAX_ROWS} more")
    return out


def _value_lines(key: str, v, indent: str = "", depth: int = 0) -> list[str]:
    head = f"{indent}{_key(key)}"
    if isinstance(v, dict):
        if not v:
            return [f"{head}: none"]
        if depth >= 2:
            return [f"{head}: {len(v)} entries"]
        out = [f"{head}:"]
        for k, x in list(v.items())[:_MAX_ROWS]:
            out += _value_lines(str(k), x, indent + "  ", depth + 1)
        if len(v) > _MAX_ROWS:
            out.append(f"{indent}  … and {len(v) - _MAX_ROWS} more")
        return out
    if isinstance(v, list | tuple):
        if not v:
            return [f"{head}: none"]
        if all(isinstance(x, dict) for x in v):
            return [f"{head}:", *_table(list(v), indent + "  ")]
        if all(not isinstance(x, dict | list | tuple) for x in v):
            return [f"{head}: {_cut(', '.join(_plain(x) for x in v))}"]
        out = [f"{head}:"]
        for x in v[:_MAX_ROWS]:
            if isinstance(x, list | tuple):
                out.append(f"{indent}  • {' → '.join(_plain(y) for y in x)}")
            else:
                out += _value_lines("•", x, indent + "  ", depth + 1)
        return out
    text = _plain(v)
    if key.endswith("_ms") and isinstance(v, int | float):
        text = f"{v:g} ms"
    return [f"{head}: {_cut(text)}"]


def evidence_lines(evidence: dict, limit: int = 60) -> list[str]:
    """What was seen, as lines people read: `key: value`, lists joined with commas, a
    list of records as a small table, nested settings indented (never raw JSON)."""
    out: list[str] = []
    for k, v in evidence.items():
        if k in _HIDDEN_KEYS:
            continue
        out += _value_lines(str(k), v)
        if len(out) >= limit:
            out = out[:limit] + ["… more in .launchready/state.json"]
            break
    return out


def _with_bold(text: str) -> Content:
    bits = text.split("**")
    if len(bits) < 3:
        return Content(text)
    out = []
    for i, bit in enumerate(bits):
        if i % 2 and i < len(bits) - 1:
            out.append(Content.from_markup("[b]$t[/]", t=bit))
        else:
            out.append(Content(("**" if i % 2 else "") + bit))
    return Content("").join(out)


def with_code(text: str) -> Content:
    """Text whose `backticks` mark code (and **stars** bold, as in the runbooks): shown
    in the code style, without the marks. Text from outside goes in as plain text."""
    parts = text.split("`")
    out = []
    for i, part in enumerate(parts):
        if i % 2 and i < len(parts) - 1:
            out.append(Content.from_markup("[bold $text-accent]$code[/]", code=part))
        elif i % 2:  # an unclosed backtick: keep it as typed
            out.append(_with_bold("`" + part))
        else:
            out.append(_with_bold(part))
    return Content("").join(out)


def _findings(result: CheckResult) -> list[Content]:
    """Every finding the check made, each with its own fix: a summary's "(and 1 more
    finding)" is opened here, not hidden."""
    found = [f for f in (result.evidence or {}).get("findings") or [] if isinstance(f, dict)]
    found = [f for f in found if str(f.get("severity") or f.get("status") or "") not in ("info", "pass", "ok")] \
        or found
    if len(found) < 2 and not any(f.get("fix") and f.get("fix") != result.fix for f in found):
        return []
    out = [Content.from_markup("\n[b u]All $n findings[/]\n", n=str(len(found)))]
    for f in found[:20]:
        sev = str(f.get("severity") or f.get("status") or "")
        sym = {"fail": "✗", "warn": "!", "error": "?"}.get(sev, "•")
        msg = str(f.get("message") or f.get("summary") or f.get("title") or f.get("id") or "")
        line = [Content(f"{sym} "), with_code(msg), Content("\n")]
        if f.get("fix"):
            line += [Content("  How to fix: "), with_code(str(f["fix"])), Content("\n")]
        out.append(Content("").join(line))
    return out


def render_detail(result: CheckResult) -> Content:
    """The whole panel for one result, as one piece of styled text."""
    parts = [
        Content.from_markup(f"[{STATUS_STYLE.get(str(result.status), '')} b]$badge[/]\n",
                            badge=badge_text(result.status)),
        Content.from_markup("[dim]$what[/]\n\n", what=result.check + (
            f" · {result.target}" if result.target not in ("", "-") else "")),
        with_code(result.summary), Content("\n"),
    ]
    for head, text in (("Why it matters", result.why), ("How to fix it", result.fix)):
        if text:
            parts += [Content.from_markup("\n[b u]$head[/]\n", head=head), with_code(text), Content("\n")]
    parts += _findings(result)
    ev = evidence_lines(result.evidence or {})
    if result.started_at:
        ev.append(f"checked {result.started_at}")
    parts.append(Content.from_markup("\n[b u]What was seen[/]\n$ev", ev="\n".join(ev) or "(nothing recorded)"))
    return Content("").join(parts)


class DetailPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(Content.from_markup("[b $accent]Details[/]"), classes="panel-title")
        yield Static(Content(EMPTY), id="detail-body", classes="-empty")

    def show(self, result: CheckResult | None) -> None:
        self.result = result
        body = self.query_one("#detail-body", Static)
        if result is None:
            body.update(Content(EMPTY))
            body.add_class("-empty")
        else:
            content = render_detail(result)
            hint = self._profile_hint(result)
            if hint:
                content = Content("").join([content, Content.from_markup("\n\n[b]$hint[/]", hint=hint)])
            body.update(content)
            body.remove_class("-empty")
        self.scroll_home(animate=False)  # each newly selected check starts at its top

    def _profile_hint(self, result: CheckResult) -> str:
        """For a result that asks for a profile setting: where the profile is, and `o`."""
        text = f"{result.summary} {result.fix}"
        if str(result.status) != "skip" and "launchready.yaml" not in text:
            return ""
        session = getattr(self.app, "session", None)
        if session is None or not session.has_profile:
            return ""
        from launchready_tui.tui.editor import edit_hint

        return edit_hint(session.profile_path)

    def show_not_run(self, about: str, target: str) -> None:
        self.result = None
        self._touched = True
        text = f"{about}\n\nThis check has not run yet. Press r to run this step's checks."
        if target not in ("", "-"):
            text += f"\n\nTarget: {target}"
        body = self.query_one("#detail-body", Static)
        body.update(Content(text))
        body.add_class("-empty")
        self.scroll_home(animate=False)

    def reset(self) -> None:
        if getattr(self, "result", None) is None and not getattr(self, "_touched", False):
            return
        self._touched = False
        self.show(None)

    def text(self) -> str:
        """The panel's plain text (for tests)."""
        visual = self.query_one("#detail-body", Static).visual
        assert isinstance(visual, Content)  # the body is only ever given a Content (above)
        return visual.plain
