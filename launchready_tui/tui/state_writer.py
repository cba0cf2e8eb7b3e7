"""The session's one background writer: changes to the state store, written in order on
one thread; two pending writes with the same key collapse into the newest (see
`session.py`, which applies every change in memory first)."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from launchready_tui.core.errors import LaunchReadyError


class StateWriter:
    """Applies state changes on one background thread, in the order they were made."""

    def __init__(self, on_error: Callable[[str], None] | None = None) -> None:
        self._pending: OrderedDict[Any, Callable[[], object]] = OrderedDict()
        self._cond = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._closed = False
        self._unique = itertools.count()
        self.on_error = on_error
        self.errors: list[str] = []

    def submit(self, fn: Callable[[], object], key: Any = None) -> None:
        """Queue fn. A pending fn with the same key (not None) is replaced by this one."""
        with self._cond:
            if key is None:
                key = ("_", next(self._unique))
            self._pending[key] = fn
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="launchready-state", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending and self._closed:
                    return
                _key, fn = self._pending.popitem(last=False)
                self._busy = True
            try:
                fn()
            except (OSError, LaunchReadyError, ValueError, KeyError) as e:
                msg = f"Could not save your progress: {e}"
                self.errors.append(msg)
                if self.on_error is not None:
                    try:
                        self.on_error(msg)
                    except Exception:  # the app may be shutting down
                        pass
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued is written. False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self) -> None:
        self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
