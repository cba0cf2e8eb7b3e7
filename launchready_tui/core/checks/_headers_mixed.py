"""Mixed content for `headers`: the plain http:// addresses an https page loads (scripts,
styles and frames; images and media; form actions), found by parsing the page's HTML.

Private to `headers` (the registry skips `_` modules); `headers` re-exports every name.
"""

from __future__ import annotations

from html.parser import HTMLParser

from launchready_tui.core.findings import Finding


class _ResourceParser(HTMLParser):
    ACTIVE = {("script", "src"), ("iframe", "src"), ("frame", "src"), ("object", "data"),
              ("embed", "src")}
    PASSIVE = {("img", "src"), ("audio", "src"), ("video", "src"), ("video", "poster"),
               ("source", "src"), ("track", "src"), ("input", "src")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []  # (kind, tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.found) >= 200:
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        for attr in ("src", "href", "data", "poster", "action", "srcset"):
            v = a.get(attr)
            if v is None:
                continue
            if attr == "srcset":
                urls = [u.strip().split(" ")[0] for u in v.split(",")]
            else:
                urls = [v.strip()]
            for u in urls:
                if not u.lower().startswith("http://"):
                    continue
                key = (tag, attr)
                rel = a.get("rel", "").lower().split()
                if key in self.ACTIVE or (tag == "link" and attr == "href" and "stylesheet" in rel):
                    self.found.append(("active", tag, u))
                elif key in self.PASSIVE or attr == "srcset" or (tag == "link" and "icon" in rel):
                    self.found.append(("passive", tag, u))
                elif tag == "form" and attr == "action":
                    self.found.append(("form", tag, u))


def find_mixed_content(html: str) -> list[tuple[str, str, str]]:
    p = _ResourceParser()
    try:
        p.feed(html)
        p.close()
    except Exception:  # a broken page: keep what was found
        pass
    return p.found


def evaluate_mixed(found: list[tuple[str, str, str]], upgrade: bool) -> list[Finding]:
    out: list[Finding] = []
    active = [u for k, _t, u in found if k == "active"]
    passive = [u for k, _t, u in found if k == "passive"]
    forms = [u for k, _t, u in found if k == "form"]
    note = (" The page's CSP says upgrade-insecure-requests, so browsers try https instead; "
            "the http:// address must also work over https." if upgrade else "")
    fix = ("Change these addresses to https:// (or to a relative path /...). If a third party "
           "has no https version, host the file yourself.")
    if active:
        out.append(Finding("warn" if upgrade else "fail", "mixed_active",
                        f"{len(active)} script/style/frame address(es) use plain http://, e.g. {active[0][:120]}",
                        "Browsers block insecure scripts and styles on https pages, so the page "
                        "breaks; where they load, an attacker on the network can replace them." + note,
                        fix))
    if passive:
        out.append(Finding("info" if upgrade else "warn", "mixed_passive",
                        f"{len(passive)} image/media address(es) use plain http://, e.g. {passive[0][:120]}",
                        "Browsers show the page as 'Not secure' or upgrade/block the images." + note,
                        fix))
    if forms:
        out.append(Finding("warn", "mixed_form", f"a form sends its data to plain http: {forms[0][:120]}",
                        "What people type into the form (passwords, card details) travels unencrypted.",
                        "Change the form's action to https:// or a relative path."))
    return out
