"""A kind's own handover section: what it is given and what it gives back.

A kind that has more to say in the handover than its results' rows names a section
function in its `CHECK_KIND = Kind(..., handover=section)`:

    section(results, history) -> Section | None

`results` are the handover's results (objects with `check`, `target`, `status`, `summary`,
`evidence`, `started_at`), `history` the history's entries. Several kinds may name the same
function (the five database kinds share one section): it is called once. It returns None
when it has nothing to say (the document then has no such section), or a plain object whose
`layout(d)` writes the section's blocks on `d`, the document being written, seen through
`SectionDoc` below. The export places it after its family's own section (or, for a family
without one, after Performance); checks never import the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol


class SectionDoc(Protocol):
    """The handover document a section writes on (the export's `_Doc`)."""

    def h(self, level: int, text: str, *, toc: bool = False) -> str: ...

    def p(self, *parts: Any, cls: str = "") -> None: ...

    def table(self, head: list[str], rows: Sequence[Sequence[Sequence[Any]]], cls: str = "") -> None: ...

    def code_block(self, text: str, lang: str = "") -> None: ...

    def code(self, text: str) -> Any: ...


class Section(Protocol):
    def layout(self, d: SectionDoc) -> None: ...


SectionFn = Callable[[list[Any], list[dict[str, Any]]], "Section | None"]


def latest(results: Iterable[Any], check: str, skip: tuple[str, ...] = ("skip", "error")) -> list[Any]:
    """Per target, the newest result of one kind (statuses in `skip` left out), by target."""
    best: dict[str, Any] = {}
    for r in results:
        if r.check == check and r.status not in skip:
            if r.target not in best or r.started_at > best[r.target].started_at:
                best[r.target] = r
    return [best[k] for k in sorted(best)]
