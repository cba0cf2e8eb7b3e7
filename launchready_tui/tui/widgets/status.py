"""Status words and symbols for the screen: never colour alone."""

from __future__ import annotations

from launchready_tui.core.results import LABEL, SYMBOL, Status

RUNNING = "running"
NOT_RUN = "not-run"

_EXTRA = {RUNNING: ("…", "running"), NOT_RUN: ("·", "not run yet")}


def sentence_case(text: str) -> str:
    """Capitalise the first word only when it is a plain word: a host name, URL, key or
    code that starts the text keeps its case ("blog.acme-demo.test answers ...", not
    "Blog.acme-demo.test")."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return text[:1].upper() + text[1:]
    return text


def badge_text(status: Status | str | None) -> str:
    """"✓ pass", "✗ FAIL", "! warning", "? could not check", "– skipped", "… running"."""
    if status is None or status == NOT_RUN:
        sym, word = _EXTRA[NOT_RUN]
    elif status == RUNNING:
        sym, word = _EXTRA[RUNNING]
    else:
        st = Status(status)
        sym, word = SYMBOL[st], LABEL[st]
    return f"{sym} {word}"


def symbol(status: Status | str | None) -> str:
    if status is None or status == NOT_RUN:
        return _EXTRA[NOT_RUN][0]
    if status == RUNNING:
        return _EXTRA[RUNNING][0]
    return SYMBOL[Status(status)]


def status_class(status: Status | str | None) -> str:
    """The CSS class for a status: -pass, -fail, -warn, -error, -skip, -running, -not-run."""
    if status is None:
        return "-not-run"
    return f"-{status.value if isinstance(status, Status) else status}"


ALL_CLASSES = ("-pass", "-fail", "-warn", "-error", "-skip", "-running", "-not-run")


def apply_status_class(node, status: Status | str | None) -> None:
    """Swap the node's status class in one style update (none when it is unchanged)."""
    want = status_class(status)
    node.update_classes({c: c == want for c in ALL_CLASSES})
