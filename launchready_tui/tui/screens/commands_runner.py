"""Running a command block from the app: confirm it, run it through the core's `command`
check, stream its output into the block, record how it ended.

A mixin of the main screen (its workers must live on the screen, which stays for the
whole session, so moving to another step never cancels a running command).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.screens._main_base import MainScreenBase
from launchready_tui.tui.widgets.detail import DetailPanel

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.tui.session import Session
    from launchready_tui.tui.widgets.blocks import CommandBlock

MAX_OUTPUT_LINES = 2000


class CommandRun:
    """A command started from a command block: its output and how it ended."""

    def __init__(self, key: str, command: str) -> None:
        self.key = key
        self.command = command
        self.lines: list[str] = []
        self.state = "running"
        self.exit_code: int | None = None


class CommandRunnerMixin(MainScreenBase):
    """Command blocks on the main screen (needs `session`, `rb`, `st`, `commands`,
    `view_for`)."""

    def on_command_block_run_requested(self, event) -> None:
        from launchready_tui.tui.screens.run_command import ConfirmCommandScreen

        block = event.block
        if block.command is None or self.rb is None or self.st is None:
            return
        key = f"{self.rb.id}/{self.st.id}/{block.block.id}"
        cwd = str(self.session.profile_path.parent)
        rb, st = self.rb, self.st

        def answered(ok: bool | None) -> None:
            if ok:
                self.run_command(key, rb, st, block.block, block.command)

        busy = next((r for r in self.commands.values() if r.state == "running"
                     and r.command == block.command), None)
        if busy is not None:  # the same command (another runbook's block, or this one)
            self.notify(f"This command is already running (from {busy.key.rsplit('/', 1)[0]}); it "
                        "runs once. Wait for it to finish.", severity="warning")
            return

        self.app.push_screen(ConfirmCommandScreen(block.command, cwd), answered)

    def _command_widget(self, key: str) -> CommandBlock | None:
        rb_id, st_id, block_id = key.split("/", 2)
        view = self.view_for(rb_id, st_id)
        return view.command_block(block_id) if view is not None else None

    @work(group="commands", exit_on_error=False)
    async def run_command(self, key: str, rb, st, block, command: str) -> int | None:
        """Run a confirmed command block through the core's `command` check (the same code
        as `launchready check --yes`): its output is redacted of every secret the project
        knows, a timeout stops its whole process group, a rollback is judged against the
        rollback budget and followed by the smoke checks. The result is recorded like any
        check result (state, detail panel, handover); the output streams into the block."""
        session = self.session
        run = CommandRun(key, command)
        self.commands[key] = run
        w = self._command_widget(key)
        if w is not None:
            w.started()

        def out(line: str) -> None:
            if len(run.lines) < MAX_OUTPUT_LINES:
                run.lines.append(line)
                cw = self._command_widget(key)
                if cw is not None:
                    cw.write(line)

        out(f"$ {command}")
        ctx, items = await asyncio.to_thread(_prepare_command, session, rb, st, block)
        ctx.options.yes = True  # the person confirmed this exact command in the dialog
        ctx.options.output_cb = lambda _key, line: out(line)  # called on this event loop
        run_id = session.begin_run(items)
        from launchready_tui.core import engine

        try:
            r = await engine.run_one(items[0], ctx)
        finally:
            await ctx.net.aclose()
        ev = r.evidence or {}
        run.exit_code = ev.get("exit_status") if isinstance(ev.get("exit_status"), int) else None
        run.state = _command_state(r)
        out(run.state)
        cw = self._command_widget(key)
        if cw is not None:
            cw.finished(run.state)
        ok = r.status.value == "pass"
        self.notify(f"Command {run.state}", severity="information" if ok else
                    "warning" if r.status.value in ("warn", "skip") else "error")
        if r.status.value != "skip":
            shown = str(ev.get("command") or command)  # as recorded: redacted
            secs = float(ev.get("duration_s") or 0.0)
            from launchready_tui.core.recorder import is_rollback

            rollback = is_rollback(block_id=block.id, run=block.run, profile=ctx.profile)
            recorder = session.recorder
            session.writer.submit(lambda: recorder.command(
                at=r.started_at, runbook=rb.id, step=st.id, block=block.id, command=shown,
                exit_code=run.exit_code, duration_s=secs, status=r.status.value))
            if session.incident is not None:
                session.incident_event("command", shown, exit_code=run.exit_code, duration_s=secs,
                                       step_id=st.id, started_at=r.started_at, rollback=rollback)
                smoke = ev.get("smoke") or []
                verified = ok and bool(smoke) and all(x.get("status") == "pass" for x in smoke)
                if rollback and verified and session.verify_rollback():  # the clock stops
                    self._tick()
        if session.accept_result(r, run_id):
            self.query_one(DetailPanel).show(r)
        return run.exit_code


def _command_state(r: CheckResult) -> str:
    """How a command run ended, in one line under its block."""
    ev = r.evidence or {}
    secs = float(ev.get("duration_s") or 0.0)
    status = r.status.value
    if status == "skip":
        return f"Not run: {r.summary}"
    if ev.get("start_error"):
        return f"✗ could not start: {ev['start_error']}"
    if ev.get("timed_out"):
        return f"✗ stopped: it ran longer than {float(ev.get('timeout_s') or 0):g} s"
    if ev.get("exit_status") not in (0, None):
        return f"✗ failed with exit status {ev['exit_status']} after {secs:.0f} s"
    if status == "pass":
        return f"✓ finished OK in {secs:.0f} s"
    # exit status 0, but over its budget, or a rollback whose smoke checks failed or are missing
    from launchready_tui.tui.widgets.status import sentence_case

    return f"{'⚠' if status == 'warn' else '✗'} {sentence_case(r.summary)}"


def _prepare_command(session: Session, rb, st, block):
    """Off the UI thread: the run's context (network layer, credentials) and the block
    planned as a `command` check, exactly as `launchready check --yes` plans it."""
    from launchready_tui.core import engine

    ctx = session.make_context()
    assert session.profile is not None, "a command runs only with a working profile"
    return ctx, engine.plan_command(rb, st, block, session.profile)
