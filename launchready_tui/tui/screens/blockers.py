"""Launch blockers: the ranked problems (core/problems.py) as a screen, each once, worst
first, with its fix and the command that checks it again. Owner and priority are edited
here and saved in the state (`problems` in .launchready/state.json), so the report, the
JSON and the handover show them too.

Not to be confused with screens/problems.py, which lists errors in the user's files.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from launchready_tui.core.results import LABEL, SYMBOL

PRIORITIES = ("P1", "P2", "P3")
# The impact levels (core/problems.LEVELS) in a word or two, for the table's narrow column.
SHORT_IMPACT = {1: "pay / log in", 2: "site down", 3: "secret public", 4: "takeover", 5: "email spam",
                6: "slow", 7: "unknown", 8: "hygiene"}
NO_RESULTS = ("No checks have run yet, so there is nothing to rank. Run a stage's checks "
              "(R on a step) or `launchready check`, then come back (b).")


def normalize_priority(text: str) -> str | None:
    """'p1', 'P1', '1' -> 'P1'; '' -> ''; anything else -> None (not a priority)."""
    t = text.strip().upper()
    if not t:
        return ""
    if t.isdigit():
        t = "P" + t
    return t if t in PRIORITIES else None


def blocker_detail(p) -> str:
    lines = [f"#{p.rank}  {p.title}", "", f"Impact: {p.impact}"]
    if p.why:
        lines.append(f"Why it matters: {p.why}")
    if p.fix:
        lines += ["", "How to fix:", p.fix]
    lines += ["", f"Check again: {p.command}"]
    if p.also:
        lines.append(f"Also explains: {'; '.join(p.also[:5])}")
    shown = ", ".join(p.steps[:4]) + (" …" if len(p.steps) > 4 else "")
    lines.append(f"Shown by {len(p.results)} check result(s) in: {shown}")
    if p.first_seen:
        lines.append(f"First seen: {p.first_seen[:16].replace('T', ' ')} UTC")
    return "\n".join(lines)


class BlockersScreen(Screen):
    CSS_PATH = "blockers.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("ctrl+s", "save", "Save owner and priority"),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.problems: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="blockers-body"):
            yield Label("Launch blockers", classes="screen-title")
            yield Static("", id="blockers-verdict", markup=False)
            yield DataTable(id="blockers-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="blocker-edit"):
                yield Static("", id="blocker-detail", markup=False)
                with Horizontal(id="blocker-fields"):
                    with Vertical(classes="blocker-field"):
                        yield Label("Owner", classes="field-label")
                        yield Input(placeholder="a person's name", id="blocker-owner")
                    with Vertical(classes="blocker-field"):
                        yield Label("Priority", classes="field-label")
                        yield Input(placeholder="P1 (fix first), P2 or P3", id="blocker-priority")
                with Horizontal(id="blocker-buttons"):
                    yield Button("Save (Ctrl+S)", id="blocker-save", variant="primary")
                    yield Button("Back (Esc)", id="blocker-back")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        from launchready_tui.core.problems import verdict

        self.problems = self.session.launch_problems()
        table = self.query_one("#blockers-table", DataTable)
        table.clear(columns=True)
        table.add_columns("#", "Status", "Owner", "Priority", "Impact", "Problem")
        for p in self.problems:
            table.add_row(*self._cells(p), key=p.id)
        edit = self.query_one("#blocker-edit")
        if not self.problems:
            has_results = bool(self.session.state.get("results"))
            self.query_one("#blockers-verdict", Static).update(verdict([]) if has_results else NO_RESULTS)
            edit.display = False
            return
        self.query_one("#blockers-verdict", Static).update(
            f"{verdict(self.problems)} {len(self.problems)} problem(s), each shown once however many "
            "steps check it. Pick one to see its fix and give it an owner and a priority.")
        edit.display = True
        self._show(self.problems[0])
        table.focus()

    @staticmethod
    def _cells(p) -> tuple[str, ...]:
        scope = [w for w in (p.environment if p.environment != "production" else "",
                             "internal" if p.audience == "internal" else "") if w]
        title = p.title if len(p.title) <= 64 else p.title[:63] + "…"
        if scope:
            title += f" ({', '.join(scope)})"
        return (str(p.rank), f"{SYMBOL[p.status]} {LABEL[p.status]}", p.owner or "-", p.priority or "-",
                SHORT_IMPACT.get(p.level, str(p.level)), title)

    def _selected(self):
        table = self.query_one("#blockers-table", DataTable)
        if not self.problems or table.cursor_row is None:
            return None
        row = min(max(table.cursor_row, 0), len(self.problems) - 1)
        return self.problems[row]

    def _show(self, p) -> None:
        self.query_one("#blocker-detail", Static).update(blocker_detail(p))
        self.query_one("#blocker-owner", Input).value = p.owner or ""
        self.query_one("#blocker-priority", Input).value = p.priority or ""

    @on(DataTable.RowHighlighted, "#blockers-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        p = self._selected()
        if p is not None:
            self._show(p)

    @on(Input.Submitted)
    @on(Button.Pressed, "#blocker-save")
    def action_save(self) -> None:
        p = self._selected()
        if p is None:
            return
        owner = self.query_one("#blocker-owner", Input).value.strip()
        priority = normalize_priority(self.query_one("#blocker-priority", Input).value)
        if priority is None:
            self.notify("Priority is P1 (fix first), P2 or P3.", severity="warning")
            self.query_one("#blocker-priority", Input).focus()
            return
        self.session.set_problem_meta(p.id, owner=owner, priority=priority)
        p.owner, p.priority = owner or None, priority or None
        table = self.query_one("#blockers-table", DataTable)
        cells = self._cells(p)
        for col, value in zip(table.columns, cells, strict=False):
            table.update_cell(p.id, col, value)
        self.notify(f"Saved: #{p.rank} owner {owner or 'nobody'}, priority {priority or 'not set'}.")

    @on(Button.Pressed, "#blocker-back")
    def action_close(self) -> None:
        self.app.pop_screen()


# Stage 1's record fields that start from the ranked problems instead of a blank field:
# (record block id, field id) -> draft maker in core/problems.py.
START_FROM_PROBLEMS = {
    ("risk-list", "risks"): "risk_list_text",
    ("launch-blockers", "blockers"): "blockers_text",
}


def start_values(session, block, values: dict[str, str]) -> tuple[dict[str, str], bool]:
    """Fill a still-empty risk-list / launch-blockers field with a draft made from the
    launch blockers. Returns the values and whether this block starts from them. The
    draft is saved only when the person edits it."""
    fields = [f.id for f in block.fields if (block.id, f.id) in START_FROM_PROBLEMS]
    if not fields:
        return values, False
    from launchready_tui.core import problems as core_problems

    found = None
    out = dict(values)
    for fid in fields:
        if out.get(fid):
            continue
        if found is None:
            found = session.launch_problems()
        out[fid] = getattr(core_problems, START_FROM_PROBLEMS[(block.id, fid)])(found)
    return out, True
