"""The document being laid out (`_Doc`: blocks, anchors, links) and the small pieces every
section uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from launchready_tui.core.export._model import (
    FieldAsk,
    FieldView,
    show_date,
)
from launchready_tui.core.export._render import (
    Block,
    Code,
    CodeBlock,
    Flag,
    Heading,
    Para,
    Parts,
    Slugger,
    Table,
)


class _Doc:
    def __init__(self, anchors: dict[str, str] | None = None) -> None:
        self.anchors = anchors or {}  # "Stage title › step title" -> anchor, from a first pass
        self.found: dict[str, str] = {}
        self.blocks: list[Block] = []
        self.slugs = Slugger()
        self.toc: list[tuple[int, str, str]] = []

    def h(self, level: int, text: str, *, toc: bool = False) -> str:
        anchor = self.slugs.slug(text)
        self.blocks.append(Heading(level, text, anchor))
        if toc:
            self.toc.append((level, text, anchor))
        return anchor

    def p(self, *parts: Any, cls: str = "") -> None:
        self.blocks.append(Para([x for x in parts if x != ""], cls))

    def add(self, b: Block) -> None:
        self.blocks.append(b)

    # what a kind's own section writes with (core/checks/_handover.py's SectionDoc)
    def table(self, head: list[str], rows: Sequence[Sequence[Sequence[Any]]], cls: str = "") -> None:
        self.blocks.append(Table(head, [[list(cell) for cell in row] for row in rows], cls))

    def code_block(self, text: str, lang: str = "") -> None:
        self.blocks.append(CodeBlock(text, lang))

    def code(self, text: str) -> Code:
        return Code(text)


def _value_parts(f: FieldView | FieldAsk) -> Parts:
    """A record value as typed, flagged when it does not fit its type (a date that is not
    YYYY-MM-DD, a URL that is not one): never passed off as checked."""
    problem = getattr(f, "problem", "")
    if problem:
        return [f.value, " ", Flag(f"not checked: {problem}")]
    return [f.value]


def _fields_table(fields_: Sequence[FieldView | FieldAsk], *, who: bool = True) -> Table:
    rows: list[list[Parts]] = []
    for f in fields_:
        if not f.value:
            continue
        row: list[Parts] = [[f.label], _value_parts(f)]
        if who:
            row.append([" ".join(x for x in (f.by, show_date(f.at)) if x)])
        rows.append(row)
    return Table(["What", "Written down", "By, when"] if who else ["What", "Written down"], rows)
