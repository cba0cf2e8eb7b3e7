"""Running checks from the main screen: plan a step's or a stage's checks, run them in
one worker through the engine (concurrently, bounded), and stream the results into their
rows as they finish, painted in batches.

A mixin of the main screen (its worker must live on the screen, which stays for the whole
session, so moving to another step never cancels a running check).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work

from launchready_tui.core.results import SEVERITY, CheckResult, count
from launchready_tui.tui.screens._main_base import MainScreenBase
from launchready_tui.tui.session import short_title
from launchready_tui.tui.widgets.detail import DetailPanel
from launchready_tui.tui.widgets.sidebar import Sidebar

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    from textual.widget import Widget

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.engine import Planned
    from launchready_tui.tui.session import Session
    from launchready_tui.tui.widgets.check_row import CheckRow

RESULT_BATCH_S = 0.05


def _summary_text(results: list[CheckResult]) -> str:
    c = count(results)
    parts = []
    for st, word in (("pass", "passed"), ("warn", "warning"), ("fail", "FAILED"),
                     ("error", "could not check"), ("skip", "skipped")):
        if c[st]:
            parts.append(f"{c[st]} {word}")
    return ", ".join(parts) or "nothing ran"


class CheckRunnerMixin(MainScreenBase):
    """Running checks on the main screen (its methods take the screen as `self`)."""

    def action_run_step(self) -> None:
        if self.rb is None or self.st is None:
            return
        self._run(self.session.plan(self.rb, self.st), {"runbook": self.rb.id, "step": self.st.id},
                  "this step's checks")

    def action_run_stage(self) -> None:
        if self.rb is None:
            return
        self._run(self.session.plan(self.rb), {"runbook": self.rb.id, "stage": self.rb.stage},
                  f"all checks of {short_title(self.rb)}")

    def _run(self, items: list[Planned], scope: dict[str, object], label: str) -> None:
        if not items:
            self.notify("This step has no automatic checks. Do what it says, tick its boxes, "
                        "then mark it done.")
            return
        if self.session.profile is None:
            self.notify("Checks need a working profile (launchready.yaml). "
                        + ("Open the problems entry on the left to see what to fix."
                           if self.session.profile_error else "Create one with `launchready init`."),
                        severity="warning")
            return
        self.run_checks(items, scope, label)

    @work(group="checks", exit_on_error=False)
    async def run_checks(self, items: list[Planned], scope: dict[str, object],
                         label: str) -> list[CheckResult]:
        session = self.session
        run = session.begin_run(items)
        runnable = [it for it in items if it.skip is None]
        for it in runnable:
            view = self.view_for(it.runbook.id, it.step.id)
            if view is not None:
                view.set_running([it.key])
        if self.view is not None:
            self.view.show_checks()
        self.notify(f"Running {label} ({len(items)})…", timeout=3)
        results: list[CheckResult] = []
        ctx = await asyncio.to_thread(_prepare, session, items)
        from launchready_tui.core import engine

        try:
            async for r in engine.run(items, ctx):
                if session.accept_result(r, run):
                    results.append(r)
                    self._queue_result(r)
        finally:
            await ctx.net.aclose()
        self._flush_results()
        session.finish_run(results, scope)
        self.query_one(Sidebar).refresh_all()
        worst_first = sorted((r for r in results if r.status.value in ("fail", "error", "warn")),
                             key=lambda r: -SEVERITY[r.status])
        hint = ""
        if worst_first:
            if self.has_class("-narrow"):
                hint = " Tab to a row and press Enter to see why and how to fix it."
                row = self._worst_row_here(worst_first)
                if row is not None and not _is_text_field(self.focused):
                    row.focus()  # the worst one is selected: Enter opens it, up/down move
                    hint = " The worst one is selected: press Enter to see why and how to fix it (up/down: the others)."
            else:
                hint = " The worst one is shown on the right; click any row for its details."
                here = [r for r in worst_first if self.view is not None and r.step == self.view.st.id
                        and r.runbook == self.view.rb.id]
                from launchready_tui.tui.widgets.check_row import CheckRow

                if here and not isinstance(self.focused, CheckRow):
                    self.query_one(DetailPanel).show(here[0])
        self.notify(f"Finished {label}: {_summary_text(results)}.{hint}",
                    severity="warning" if worst_first else "information", timeout=8)
        return results

    def _worst_row_here(self, worst_first: list[CheckResult]) -> CheckRow | None:
        """The row of the worst result of the step on screen (None when it is not here)."""
        view = self.view
        if view is None:
            return None
        for r in worst_first:
            if r.runbook == view.rb.id and r.step == view.st.id:
                row = view.rows.get(r.key)
                if row is not None:
                    return row
        return None

    def _queue_result(self, r: CheckResult) -> None:
        """Results often finish in bursts: paint them together, once per 50 ms."""
        self._result_queue.append(r)
        if self._result_timer is None:
            self._result_timer = self.set_timer(RESULT_BATCH_S, self._flush_results)

    def _flush_results(self) -> None:
        if self._result_timer is not None:
            self._result_timer.stop()
            self._result_timer = None
        batch, self._result_queue = self._result_queue, []
        if batch:
            with self.app.batch_update():
                for r in batch:
                    self._show_result(r)

    def _show_result(self, r: CheckResult) -> None:
        view = self.view_for(r.runbook, r.step)
        if view is None:
            return
        row = view.show_result(r)
        if row is not None and self.focused is row:
            self.query_one(DetailPanel).show(r)
        self._refresh_sidebar_soon()

    def _refresh_sidebar_soon(self) -> None:
        """Results can arrive dozens at a time: repaint the sidebar at most every 0.3 s."""
        if self._sidebar_timer is None:
            def go() -> None:
                self._sidebar_timer = None
                self.query_one(Sidebar).refresh_all()

            self._sidebar_timer = self.set_timer(0.3, go)


def _is_text_field(widget: Widget | None) -> bool:
    """By class name: importing Input/TextArea here would load them for the first frame."""
    return widget is not None and any(c.__name__ in ("Input", "TextArea") for c in type(widget).__mro__)


# Imported off the UI thread before the first run; otherwise the first connections would
# import them on the event loop and stall the screen.
_PRELOAD = (
    "httpx", "httpcore", "anyio", "anyio._backends._asyncio", "anyio.streams.tls",
    "anyio._core._subprocesses", "dns.asyncquery", "dns.message", "dns.rdatatype", "dns.name",
    "dns.rdtypes.IN.A", "dns.rdtypes.ANY.CNAME", "dns.rdtypes.ANY.TXT",
)


def _import_checks(kinds: Iterable[str]) -> None:
    """Import these kinds' modules and the network libraries (off the UI thread)."""
    import importlib

    from launchready_tui.core.registry import NotAvailable, load_kind

    for kind in kinds:
        try:
            load_kind(kind)
        except (NotAvailable, ImportError):
            pass
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _prepare(session: Session, items: list[Planned]) -> CheckContext:
    """Off the UI thread: build the run's context and import what the checks need, so the
    first run never stalls the screen on imports."""
    ctx = session.make_context()
    _import_checks({it.spec.kind for it in items if it.skip is None})
    ctx.net.ssl_context()
    return ctx
