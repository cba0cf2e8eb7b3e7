"""Blocks, escaping and the two output formats of the handover document.

`core/export/_layout.py` lays the document out as a flat list of blocks (headings, paragraphs,
tables, lists, code, trusted runbook Markdown). This module turns those blocks into
GitHub-flavoured Markdown or one self-contained HTML file. Both formats come from the same
blocks, so they always say the same thing.

Anything that came from outside (DNS answers, HTTP headers, page titles, what people typed
into records) is plain text in a block and is escaped here, for each format: backslash
escapes in Markdown, HTML entities in HTML. Only runbook Markdown (our own files, turned
into Markdown by the export package with every outside value escaped) is rendered as Markdown, by
markdown-it-py with raw HTML and images switched off.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from launchready_tui.core.results import LABEL, SYMBOL, Status

# ------------------------------------------------------------------------------ inline


@dataclass(frozen=True)
class Code:
    """Literal text shown as code (record values, TXT records, commands)."""

    text: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Link:
    """A link inside the document (anchor without '#')."""

    text: str
    anchor: str


@dataclass(frozen=True)
class FileLink:
    """A file beside the document (a relative path, e.g. an incident note): a link in
    Markdown, the path as text in the HTML page, which stays self-contained."""

    text: str
    href: str


@dataclass(frozen=True)
class Badge:
    """A check status: symbol plus word, never colour alone."""

    status: str


@dataclass(frozen=True)
class Br:
    """A line break inside a cell or paragraph."""


@dataclass(frozen=True)
class Flag:
    """A warning flag in the text, such as stale evidence."""

    text: str


Inline = str | Code | Strong | Link | FileLink | Badge | Flag | Br
Parts = list[Inline]


# ------------------------------------------------------------------------------ blocks


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass
class Para:
    parts: Parts
    cls: str = ""  # "lead", "note", "warn", "bad", "good", "small"


@dataclass
class Table:
    head: list[str]
    rows: list[list[Parts]]
    cls: str = ""


@dataclass
class ListItem:
    parts: Parts
    children: list[ListItem] = field(default_factory=list)


@dataclass
class BulletList:
    items: list[ListItem]
    ordered: bool = False
    start: int = 1


@dataclass
class CodeBlock:
    text: str
    lang: str = ""


@dataclass
class Markdown:
    """Markdown we built ourselves from a runbook; outside values in it are escaped."""

    text: str
    anchors: list[str] = field(default_factory=list)  # ids for its headings, in order


@dataclass
class Contents:
    """The table of contents: (level, text, anchor)."""

    entries: list[tuple[int, str, str]]


Block = Heading | Para | Table | BulletList | CodeBlock | Markdown | Contents


def badge_text(status: str) -> str:
    try:
        s = Status(status)
    except ValueError:
        return str(status)
    return f"{SYMBOL[s]} {LABEL[s]}"


# ------------------------------------------------------------------------------ anchors


class Slugger:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens,
    duplicates numbered -1, -2, ... in document order."""

    _DROP = re.compile(r"[^\w\- ]", re.UNICODE)

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    @classmethod
    def base(cls, text: str) -> str:
        return cls._DROP.sub("", text.strip().lower()).replace(" ", "-")

    def slug(self, text: str) -> str:
        base = self.base(text)
        n = self.seen.get(base)
        if n is None:
            self.seen[base] = 0
            return base
        while True:
            n += 1
            cand = f"{base}-{n}"
            if cand not in self.seen:
                self.seen[base] = n
                self.seen[cand] = 0
                return cand


# ------------------------------------------------------------------------------ Markdown

_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]<>#|~&!])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")


def md_escape(text: Any, *, table: bool = False) -> str:
    """Plain text to Markdown that shows exactly that text (no tags, links or lists)."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for i, line in enumerate(s.split("\n")):
        if i:
            line = line.lstrip()
        line = _MD_ESCAPE.sub(r"\\\1", line)
        m = _MD_LINE_START.match(line)
        if m:
            if m.group(2)[0].isdigit():
                # "1." at a line start would begin an ordered list
                line = line[: m.end()] + "\\" + line[m.end() :]
            else:
                line = line[: m.start(2)] + "\\" + line[m.start(2) :]
        out.append(line)
    out = _trim_blank(out)
    if table:
        return "<br>".join(out)
    return "\\\n".join(x for x in out) if len(out) > 1 else (out[0] if out else "")


def _trim_blank(lines: list[str]) -> list[str]:
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    # blank lines inside a paragraph would end it; keep them as an empty hard break
    return [x if x.strip() or len(lines) == 1 else " " for x in lines]


def md_code(text: Any, *, table: bool = False) -> str:
    s = " ".join(str(text).split("\n"))
    if not s:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")):
        s = f" {s} "
    if table:
        s = s.replace("|", "\\|")
    return f"{fence}{s}{fence}"


_TICKS = re.compile(r"`([^`\n]+)`")


def _ticks(parts: Parts) -> Parts:
    """`text` in plain strings becomes code (our own messages and check summaries use it)."""
    out: Parts = []
    for p in parts:
        if isinstance(p, str) and "`" in p:
            pos = 0
            for m in _TICKS.finditer(p):
                out.append(p[pos : m.start()])
                out.append(Code(m.group(1)))
                pos = m.end()
            out.append(p[pos:])
        else:
            out.append(p)
    return [p for p in out if p != ""]


def md_inline(parts: Parts, *, table: bool = False) -> str:
    out = []
    for p in _ticks(parts):
        if isinstance(p, str):
            out.append(md_escape(p, table=table))
        elif isinstance(p, Code):
            out.append(md_code(p.text, table=table))
        elif isinstance(p, Strong):
            t = md_escape(p.text.strip(), table=table)
            lead = " " if p.text[:1].isspace() else ""
            trail = " " if p.text[-1:].isspace() else ""
            out.append(f"{lead}**{t}**{trail}" if t else "")
        elif isinstance(p, Link):
            out.append(f"[{md_escape(p.text, table=table)}](#{p.anchor})")
        elif isinstance(p, FileLink):
            href = p.href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            out.append(f"[{md_escape(p.text, table=table)}]({href})")
        elif isinstance(p, Badge):
            out.append(f"**{md_escape(badge_text(p.status), table=table)}**")
        elif isinstance(p, Flag):
            out.append(f"**⚠ {md_escape(p.text, table=table)}**")
        elif isinstance(p, Br):
            out.append("<br>" if table else "\\\n")
    text = "".join(out)
    return text if text.strip() else ("—" if table else "")


def md_fence(text: str, lang: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"^\s*(`{3,}|~{3,})", text, re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text.rstrip("\n")
    return f"{fence}{lang}\n{body}\n{fence}"


def _md_list(items: list[ListItem], ordered: bool, indent: str = "", start: int = 1) -> list[str]:
    out = []
    for i, it in enumerate(items, start):
        marker = f"{i}. " if ordered else "- "
        pad = indent + " " * len(marker)
        text = md_inline(it.parts).replace("\\\n", "\\\n" + pad)
        out.append(f"{indent}{marker}{text}")
        if it.children:
            out.extend(_md_list(it.children, False, pad))
    return out


def render_blocks_markdown(blocks: list[Block]) -> str:
    chunks: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            chunks.append("#" * b.level + " " + md_escape(b.text))
        elif isinstance(b, Para):
            text = md_inline(b.parts)
            if not text:
                continue
            if b.cls in ("warn", "bad", "note"):
                text = "> " + text.replace("\\\n", "\\\n> ")
            chunks.append(text)
        elif isinstance(b, Table):
            if not b.rows:
                continue
            lines = [
                "| " + " | ".join(md_escape(h, table=True) for h in b.head) + " |",
                "|" + "|".join(" --- " for _ in b.head) + "|",
            ]
            for row in b.rows:
                cells = [md_inline(c, table=True) for c in row]
                cells += ["—"] * (len(b.head) - len(cells))
                lines.append("| " + " | ".join(cells) + " |")
            chunks.append("\n".join(lines))
        elif isinstance(b, BulletList):
            if b.items:
                chunks.append("\n".join(_md_list(b.items, b.ordered, "", b.start)))
        elif isinstance(b, CodeBlock):
            chunks.append(md_fence(b.text, b.lang))
        elif isinstance(b, Markdown):
            if b.text.strip():
                chunks.append(b.text.strip("\n"))
        elif isinstance(b, Contents):
            items = []
            for level, text, anchor in b.entries:
                items.append("  " * (level - 2) + f"- [{md_escape(text)}](#{anchor})")
            chunks.append("\n".join(items))
    return "\n\n".join(chunks) + "\n"


# ------------------------------------------------------------------------------ HTML


def h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _h_lines(text: Any) -> str:
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    return "<br>".join(h(x) for x in lines)


def _status_class(status: str) -> str:
    return status if status in ("pass", "warn", "fail", "error", "skip") else "other"


_BREAK_AFTER = re.compile(r"([./_?=,-])(?=[^\s])")


def _breakable(escaped: str) -> str:
    """Let long names and URLs wrap after punctuation (<wbr> is not copied with the text)."""
    if len(escaped) <= 24:
        return escaped
    return _BREAK_AFTER.sub(r"\1<wbr>", escaped)


def html_inline(parts: Parts) -> str:
    out = []
    for p in _ticks(parts):
        if isinstance(p, str):
            out.append(_h_lines(p))
        elif isinstance(p, Code):
            out.append(f"<code>{_breakable(h(p.text))}</code>")
        elif isinstance(p, Strong):
            out.append(f"<strong>{_h_lines(p.text)}</strong>")
        elif isinstance(p, Link):
            out.append(f'<a href="#{h(p.anchor)}">{h(p.text)}</a>')
        elif isinstance(p, FileLink):  # the HTML page links only inside itself: the path, as text
            out.append(f"<code>{_breakable(h(p.href))}</code>")
        elif isinstance(p, Badge):
            out.append(f'<span class="st st-{_status_class(str(p.status))}">{h(badge_text(p.status))}</span>')
        elif isinstance(p, Flag):
            out.append(f'<span class="flag">⚠ {h(p.text)}</span>')
        elif isinstance(p, Br):
            out.append("<br>")
    return "".join(out)


def _html_list(items: list[ListItem], ordered: bool, start: int = 1) -> str:
    tag = "ol" if ordered else "ul"
    out = [f'<ol start="{start}">' if ordered and start != 1 else f"<{tag}>"]
    for it in items:
        inner = html_inline(it.parts)
        if it.children:
            inner += _html_list(it.children, False)
        out.append(f"<li>{inner}</li>")
    out.append(f"</{tag}>")
    return "".join(out)


def markdown_to_html(text: str, anchors: list[str] | None = None) -> str:
    """Render our runbook Markdown: raw HTML and images off, GitHub-style tables on."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["image", "html_block", "html_inline"])
    tokens = md.parse(text)
    ids = list(anchors or [])
    for tok in tokens:
        if tok.type == "heading_open" and ids:
            tok.attrSet("id", ids.pop(0))
    return md.renderer.render(tokens, md.options, {})


def render_blocks_html(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f'<h{b.level} id="{h(b.anchor)}">{h(b.text)}</h{b.level}>')
        elif isinstance(b, Para):
            inner = html_inline(b.parts)
            if not inner:
                continue
            cls = f' class="{h(b.cls)}"' if b.cls else ""
            out.append(f"<p{cls}>{inner}</p>")
        elif isinstance(b, Table):
            if not b.rows:
                continue
            cls = f' class="{h(b.cls)}"' if b.cls else ""
            rows = ["<tr>" + "".join(f"<th>{h(x)}</th>" for x in b.head) + "</tr>"]
            for row in b.rows:
                cells = [html_inline(c) or "—" for c in row]
                cells += ["—"] * (len(b.head) - len(cells))
                rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            out.append(f"<table{cls}><thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>")
        elif isinstance(b, BulletList):
            if b.items:
                out.append(_html_list(b.items, b.ordered, b.start))
        elif isinstance(b, CodeBlock):
            out.append(f"<pre><code>{h(b.text.rstrip())}</code></pre>")
        elif isinstance(b, Markdown):
            if b.text.strip():
                out.append(f'<div class="runbook">{markdown_to_html(b.text, b.anchors)}</div>')
        elif isinstance(b, Contents):
            items = []
            for level, text, anchor in b.entries:
                items.append(f'<li class="toc-{level}"><a href="#{h(anchor)}">{h(text)}</a></li>')
            out.append(f'<nav class="toc"><ul>{"".join(items)}</ul></nav>')
    return "\n".join(out)


CSS = """
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --soft:#f6f8fa;
  --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --error:#8250df; --skip:#57606a; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
  max-width: 62rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; }
h2 { font-size: 1.45rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 2.4rem; }
h3 { font-size: 1.2rem; margin-top: 1.8rem; }
h4 { font-size: 1.05rem; margin-top: 1.4rem; }
h5, h6 { font-size: .95rem; margin-top: 1.1rem; }
p, ul, ol, table, pre { margin: .5rem 0 .8rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
th { background: var(--soft); }
code { font: .85em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft);
  padding: .05em .3em; border-radius: 3px; overflow-wrap: break-word; }
pre { background: var(--soft); border: 1px solid var(--line); padding: .6rem .8rem; border-radius: 4px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
pre code { background: none; padding: 0; }
.st { font-weight: 600; white-space: nowrap; }
.st-pass { color: var(--pass); } .st-warn { color: var(--warn); } .st-fail { color: var(--fail); }
.st-error { color: var(--error); } .st-skip, .st-other { color: var(--skip); }
.flag { color: var(--warn); font-weight: 600; }
p.lead { font-size: 1.1rem; }
p.verdict { font-size: 1.25rem; font-weight: 600; padding: .6rem .9rem; border-radius: 4px;
  border-left: 6px solid var(--line); background: var(--soft); }
p.bad { border-left: 4px solid var(--fail); padding: .3rem .7rem; background: #fff5f5; }
p.warn { border-left: 4px solid var(--warn); padding: .3rem .7rem; background: #fff8e5; }
p.note { border-left: 4px solid var(--line); padding: .3rem .7rem; color: var(--muted); }
p.good { border-left: 4px solid var(--pass); padding: .3rem .7rem; background: #f0fff4; }
p.small { color: var(--muted); font-size: .85rem; }
nav.toc ul { list-style: none; padding-left: 0; }
nav.toc li.toc-3 { padding-left: 1.2rem; }
.runbook { border-left: 3px solid var(--line); padding-left: 1rem; }
a { color: #0969da; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-before: page; }
  h2#where-things-live, h2:first-of-type { break-before: auto; }
  h2, h3, h4 { break-after: avoid; }
  tr, pre, li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  nav.toc { display: none; }
  p.bad, p.warn, p.good, p.verdict { background: none; }
}
"""


def html_page(title: str, body: str, *, lang: str = "en") -> str:
    return (
        "<!doctype html>\n"
        f'<html lang="{h(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">\n'
        f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
