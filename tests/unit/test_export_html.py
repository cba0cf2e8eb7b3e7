"""The HTML handover: one self-contained file, valid, no script, remote strings inert."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from launchready_tui.core.export import render_html, render_incident_note, render_markdown
from tests.unit.export_fixtures import (
    IMG_ONERROR,
    INCIDENT,
    MD_LINK,
    PLANTED,
    SCRIPT_HEADER,
    handover,
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictParser(HTMLParser):
    """html.parser, plus the checks it does not do: every element closed in order, no
    script, no event handlers, nothing loaded from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.errors.append(f"event handler {k} on <{tag}>")
            if k in ("src", "srcset", "background", "poster", "action", "formaction"):
                self.errors.append(f"<{tag} {k}=...> loads a resource")
            if k == "id":
                self.ids.append(v)
            if k == "href":
                self.hrefs.append(v)
        if tag in ("script", "iframe", "object", "embed", "img", "link", "form", "base", "frame", "svg"):
            self.errors.append(f"<{tag}> in the document")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    def close(self):
        super().close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")


def parse(doc: str) -> StrictParser:
    p = StrictParser()
    p.feed(doc)
    p.close()
    return p


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(handover())


def test_parses_cleanly_and_has_no_script(page):
    p = parse(page)
    assert p.errors == []
    assert "script" not in p.tags
    assert "<script" not in page.lower()
    assert page.startswith("<!doctype html>")


def test_self_contained_no_external_resources(page):
    p = parse(page)
    assert all(h.startswith("#") for h in p.hrefs), [h for h in p.hrefs if not h.startswith("#")]
    style = page[page.index("<style>") : page.index("</style>")]
    assert "url(" not in style and "@import" not in style
    assert "http://" not in style and "https://" not in style
    assert "Content-Security-Policy" in page  # belt and braces: a browser would refuse scripts anyway


def test_planted_remote_strings_come_out_as_text(page):
    p = parse(page)
    text = "".join(p.text)
    for planted in PLANTED:
        assert planted in text, f"{planted!r} is not shown as text"
        assert planted not in page, f"{planted!r} appears unescaped in the HTML"
    assert html.escape(SCRIPT_HEADER) in page or html.escape(SCRIPT_HEADER, quote=False) in page
    assert "onerror=" not in re.sub(r"&[^;]+;", "", page.replace(html.escape(IMG_ONERROR), ""))


def test_markdown_link_injection_is_text(page):
    assert 'href="javascript' not in page
    assert MD_LINK in "".join(parse(page).text)


def test_every_internal_link_has_a_target(page):
    p = parse(page)
    assert len(p.ids) == len(set(p.ids)), "duplicate ids"
    missing = [h for h in p.hrefs if h[1:] not in p.ids]
    assert missing == []


def test_prints_well(page):
    assert "@media print" in page
    assert "break-inside: avoid" in page


def test_incident_note_html_is_clean():
    page = render_incident_note(INCIDENT, incident_id=INCIDENT["id"], fmt="html")
    p = parse(page)
    assert p.errors == []
    assert SCRIPT_HEADER in "".join(p.text)
    assert "<script" not in page.lower()


def test_markdown_keeps_remote_markup_inert():
    """GitHub renders raw HTML in Markdown; escaped text must stay text even for a renderer
    that allows HTML (markdown-it with html on is the worst case)."""
    from markdown_it import MarkdownIt

    md = render_markdown(handover())
    out = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    assert "<script" not in out.lower()
    assert "<img" not in out.lower()
    assert 'href="javascript' not in out
    p = parse("<div>" + out + "</div>")
    for planted in PLANTED:
        assert planted in "".join(p.text)
