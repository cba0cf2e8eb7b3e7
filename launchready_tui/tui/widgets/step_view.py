"""The step view: the runbook step's Markdown, with its blocks made live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from launchready_tui.core.registry import KINDS
from launchready_tui.core.results import CheckResult
from launchready_tui.core.runbook import CheckSpec, Command, Confirm, Record
from launchready_tui.tui.session import split_step
from launchready_tui.tui.widgets.blocks import CommandBlock, ConfirmRow, NotesField, RecordBlock
from launchready_tui.tui.widgets.check_row import CheckRow


def check_title(spec: CheckSpec) -> str:
    """"DNS check: each name points somewhere" (the kind's own plain title)."""
    if spec.title:
        return spec.title
    kind = KINDS.get(spec.kind)
    if kind is not None:
        return kind.step_line()
    return f"{spec.kind.replace('_', ' ').capitalize()} check"


def _asks_for_profile(markdown: str) -> bool:
    """The step asks for a profile setting ("in your profile", "launchready.yaml")."""
    low = markdown.lower()
    return "launchready.yaml" in low or "your profile" in low


def _strip_h1(text: str) -> str:
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _md(text: str, classes: str = "") -> Static:
    """Markdown as one Static (a Rich renderable): far fewer widgets than Textual's
    Markdown widget, so a step opens in a few milliseconds even while checks run."""
    from rich.markdown import Markdown as RichMarkdown

    return Static(RichMarkdown(text, hyperlinks=True), classes=f"md {classes}".strip())


class StepView(VerticalScroll, can_focus=False):
    """Everything of one step.

    Not focusable itself: a focus change restyles a widget's whole subtree in Textual,
    and a step has hundreds of widgets. The screen scrolls it with PageUp/PageDown. The screen owns the session; this widget only shows it and
    posts what the person did (CheckRow.Selected, ConfirmRow.Toggled, ...)."""

    def __init__(self, session, rb, st, items: list, commands: dict, **kw) -> None:
        super().__init__(**kw)
        self.session = session
        self.rb = rb
        self.st = st
        self.items = items  # engine.Planned for this step
        self.commands = commands  # block key -> CommandRun (see screens/main.py)
        self.rows: dict[str, CheckRow] = {}

    def compose(self) -> ComposeResult:
        rb, st, s = self.rb, self.st, self.session
        n = rb.steps.index(st) + 1
        yield Label(f"Step {n} of {len(rb.steps)}: {st.title}", classes="step-title")
        done = s.is_done(rb, st)
        yield Label(self._done_text(done), id="done-line", classes="-done" if done else "")
        if n == 1 and rb.intro:
            intro = _strip_h1(rb.intro)
            if rb.goal:
                what = "Goal of this stage" if rb.kind == "stage" else "Goal"
                intro = f"**{what}:** {rb.goal}\n\n{intro}"
            yield _md(intro, "intro")
        if s.has_profile and _asks_for_profile(st.markdown):
            from launchready_tui.tui.editor import edit_hint

            yield Label(edit_hint(s.profile_path), classes="profile-hint")
        parts = split_step(st)
        for i, part in enumerate(parts):
            if isinstance(part, str):
                yield _md(part)
            elif isinstance(part, CheckSpec):
                yield from self._check_group(part)
                nxt = parts[i + 1] if i + 1 < len(parts) else None
                if not isinstance(nxt, CheckSpec):
                    yield Button("Run this step's checks (r)", id=f"run-{part.id}",
                                 classes="run-step", compact=True)
            elif isinstance(part, Confirm):
                yield ConfirmRow(part, s.confirmation(rb, st, part.id))
            elif isinstance(part, Record):
                values = {f.id: s.record_value(rb, st, part.id, f.id) for f in part.fields}
                from launchready_tui.tui.screens.blockers import start_values

                values, from_blockers = start_values(s, part, values)
                if from_blockers:  # stage 1's risk list and blockers start from the ranked problems
                    yield Button("Open the launch blockers (b)", action="app.blockers",
                                 classes="open-blockers", compact=True)
                yield RecordBlock(part, values)
            elif isinstance(part, Command):
                yield self._command(part)
        yield NotesField(s.note(rb, st))
        with Horizontal(classes="step-nav"):
            yield Button("◀ Prev (p)", id="prev-step", compact=True)
            yield Button(self._done_button(done), id="toggle-done", compact=True, variant="success")
            yield Button("Next (n) ▶", id="next-step", compact=True)

    @staticmethod
    def _done_text(done: bool) -> str:
        return "✓ Done: you marked this step done." if done else \
            "Read the step and do what it says. When you have finished, press d (Done)."

    @staticmethod
    def _done_button(done: bool) -> str:
        return "Not done (d)" if done else "✓ Done, next (d)"

    def show_done(self, done: bool) -> None:
        line = self.query_one("#done-line", Label)
        line.update(self._done_text(done))
        line.set_class(done, "-done")
        self.query_one("#toggle-done", Button).label = self._done_button(done)

    def _check_group(self, spec: CheckSpec):
        about = check_title(spec)
        with Vertical(classes="check-group"):
            yield Label(about, classes="check-about")
            for it in self.items:
                if it.spec.id != spec.id:
                    continue
                row = CheckRow(it.key, about, it.target, self.session.result(it.key))
                self.rows[it.key] = row
                yield row

    def _command(self, block: Command) -> CommandBlock:
        from launchready_tui.core.runbook import TemplateMissing, render

        key = f"{self.rb.id}/{self.st.id}/{block.id}"
        run = self.commands.get(key)
        cmd, missing = None, None
        if self.session.profile is None:
            missing = "your profile"
        else:
            try:
                cmd = str(render(block.run, self.session.profile))
            except TemplateMissing as e:
                missing = e.var
        return CommandBlock(block, cmd, missing, list(run.lines) if run else [],
                            run.state if run else "idle")

    # -- updates from the screen -------------------------------------------------------

    def set_running(self, keys) -> None:
        for k in keys:
            row = self.rows.get(k)
            if row is not None:
                row.set_running()

    def show_result(self, r: CheckResult) -> CheckRow | None:
        row = self.rows.get(r.key)
        if row is not None:
            row.set_result(r)
        return row

    def show_checks(self) -> None:
        """Scroll so the first check row is on screen (results appear there)."""
        if self.rows:
            first = next(iter(self.rows.values()))
            self.scroll_to_center(first, animate=False)

    def command_block(self, block_id: str) -> CommandBlock | None:
        for cb in self.query(CommandBlock):
            if cb.block.id == block_id:
                return cb
        return None

    def confirm_rows(self) -> list[ConfirmRow]:
        return list(self.query(ConfirmRow))
