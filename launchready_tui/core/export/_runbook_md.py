"""Runbooks made readable on their own, for the handover's "runbooks to keep": blocks
become checklists and commands (filled in from the profile), headings move down, and
every outside value is escaped as Markdown."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from launchready_tui.core.export._model import (
    Handover,
)
from launchready_tui.core.export._render import (
    md_code,
    md_escape,
    md_fence,
)

if TYPE_CHECKING:
    from markdown_it.token import Token


def _kind_about(kind: str) -> str:
    try:
        from launchready_tui.core.registry import KINDS

        return KINDS[kind].about if kind in KINDS else kind
    except Exception:  # pragma: no cover
        return kind


def _heading_text(inline_tok: Token) -> str:
    text = "".join(c.content for c in (inline_tok.children or []) if c.type in ("text", "code_inline"))
    return re.sub(r"\s*\{#[A-Za-z0-9][\w-]*\}\s*$", "", text).strip()


def _block_markdown(block: object, rb_id: str, step_id: str, profile_cmds: dict[str, str]) -> str:
    from launchready_tui.core.runbook import CheckSpec, Command, Confirm, Record

    if isinstance(block, CheckSpec):
        what = block.title or _kind_about(block.kind)
        return (f"**Check** ({md_code(block.kind)}): {md_escape(what)}. Run it with "
                f"{md_code(f'launchready check --runbook {rb_id} --step {step_id}')}.")
    if isinstance(block, Confirm):
        tag = " **(must do)**" if block.blocker else ""
        return f"- ☐ {md_escape(block.text)}{tag}"
    if isinstance(block, Record):
        lines = [f"**Write down: {md_escape(block.label)}**", ""]
        for f in block.fields:
            lines.append(f"- {md_escape(f.label)}" + (f" — {md_escape(f.help)}" if f.help else ""))
        return "\n".join(lines)
    if isinstance(block, Command):
        cmd = profile_cmds.get(block.id, block.run)
        head = f"**Run: {md_escape(block.label or block.id)}**"
        if block.budget_min:
            head += f" (budget: {block.budget_min:g} minutes)"
        return head + "\n\n" + md_fence(cmd, "sh")
    return ""


def transform_runbook_markdown(text: str, blocks: list, rb_id: str, step_id: str, shift: int,
                               profile_cmds: dict[str, str]) -> tuple[str, list[str]]:
    """Runbook Markdown made readable on its own: blocks become checklists and commands,
    headings move down `shift` levels (h1 dropped), `{#id}` suffixes go."""
    from markdown_it import MarkdownIt

    from launchready_tui.core.runbook import BLOCK_KINDS, block_kind

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    lines = text.splitlines()
    edits: list[tuple[int, int, list[str]]] = []
    headings: list[str] = []
    queue = list(blocks)
    for i, tok in enumerate(tokens):
        if tok.type == "fence" and tok.info.strip() in BLOCK_KINDS and tok.map:
            kind = tok.info.strip()
            blk = queue.pop(0) if queue and block_kind(queue[0]) == kind else None
            if blk is None:
                new = md_fence(tok.content, "yaml").splitlines()
            else:
                new = _block_markdown(blk, rb_id, step_id, profile_cmds).splitlines()
            edits.append((tok.map[0], tok.map[1], new))
        elif tok.type == "heading_open" and tok.map:
            level = int(tok.tag[1])
            line = lines[tok.map[0]]
            if level == 1:
                edits.append((tok.map[0], tok.map[1], []))
                continue
            title = _heading_text(tokens[i + 1])
            if not line.lstrip().startswith("#"):  # setext heading: rewrite as ATX
                edits.append((tok.map[0], tok.map[1], ["#" * min(6, level + shift) + " " + md_escape(title)]))
            else:
                edits.append((tok.map[0], tok.map[1], ["#" * min(6, level + shift) + " " + md_escape(title)]))
            headings.append(title)
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[start:end] = new
    return "\n".join(lines).strip("\n"), headings


def incident_markdown(book: Any, doc: Handover | None = None) -> tuple[str, list[str]]:
    """A whole incident runbook as readable Markdown, plus its heading texts in order."""
    cmds = doc.runbooks.commands if doc is not None else {}
    parts: list[str] = []
    headings: list[str] = []
    if getattr(book, "summary", ""):
        parts.append(f"*{md_escape(' '.join(str(book.summary).split()))}*")
    if getattr(book, "intro", ""):
        t, hs = transform_runbook_markdown(book.intro, [], book.id, "", 2, {})
        parts.append(t)
        headings += hs
    for st in book.steps:
        title = st.title
        parts.append("#### " + md_escape(title))
        headings.append(title)
        rendered = {c.id: cmds.get(f"{book.id}/{st.id}/{c.id}", c.run) for c in st.commands}
        t, hs = transform_runbook_markdown(st.markdown, list(st.blocks), book.id, st.id, 2, rendered)
        parts.append(t)
        headings += hs
    return "\n\n".join(p for p in parts if p.strip()), headings
