"""How a check's evidence is shown: the few facts that matter, as short lines.

Unknown evidence is shown generically (key: value), bulky or internal keys are left in
the state file, and nothing assumes a key or a type.
"""

from __future__ import annotations

from typing import Any

from launchready_tui.core.export._model import STALE_TEXT, ResultView, _dict, _num, show_time
from launchready_tui.core.export._readers import _short
from launchready_tui.core.export._render import (
    Badge,
    Br,
    Flag,
    Parts,
)


def _fmt_ms(v: Any) -> str:
    n = _num(v)
    if n is None:
        return ""
    return f"{n:.0f} ms" if n >= 10 else f"{n:.1f} ms"


def _label_of(d: dict[str, Any]) -> str:
    """A one-line label for a dict inside evidence (a finding, an MX host, a hop, ...)."""
    text = ""
    for k in ("message", "summary", "title", "host", "name", "url", "term", "domain", "id"):
        if isinstance(d.get(k), str | int) and d.get(k) != "":
            text = str(d[k])
            break
    if d.get("file"):
        text += f" at {d['file']}" + (f":{d['line']}" if d.get("line") else "")
    if d.get("fingerprint"):
        text += f" (fingerprint {d['fingerprint']})"
    sev = d.get("severity") or d.get("status")
    if isinstance(sev, str) and sev not in ("pass", "ok", "info", "") and text:
        text = f"[{sev}] {text}"
    return text or ", ".join(f"{k}: {_val(x, 40)}" for k, x in sorted(d.items(), key=lambda kv: str(kv[0]))[:3])


def _val(v: Any, limit: int = 160) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        if not v:
            return "none"
        shown = [(_label_of(x) if isinstance(x, dict) else _val(x, 80)) for x in v[:5]]
        if any(isinstance(x, list) for x in v[:5]):
            return f"{len(v)} item{'s' if len(v) != 1 else ''}"
        return _short(", ".join(shown) + (f" (+{len(v) - 5} more)" if len(v) > 5 else ""), limit)
    if isinstance(v, dict):
        if not v:
            return "none"
        if len(v) <= 6 and all(not isinstance(x, dict | list) for x in v.values()):
            return _short(", ".join(f"{k}: {_val(x, 60)}" for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))), limit)
        return f"{len(v)} entries"
    return _short(v, limit)


def _kind_keys(check: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The kind's evidence keys worth showing first and the ones it leaves in the state file
    (`shown` / `hidden` of its `Kind`); anything else follows, generically."""
    from launchready_tui.core.registry import KINDS

    ref = KINDS.get(check)
    return (ref.shown, ref.hidden) if ref is not None else ((), frozenset())


# bulky or internal evidence: in the state for tools, not in a document for people
_HIDE = {"tree", "trees", "tree_text", "body", "output", "html", "raw", "output_tail", "tail", "stdout", "stderr",
         "hops", "host", "sni", "serial", "ca_issuers", "string_lengths", "lookup_limit", "void_limit", "queried",
         "skipped_examples", "planned", "cipher", "chain_sent", "method_note", "release_source", "subject",
         "roles", "addresses", "final_name", "exists", "body_bytes_read", "body_truncated", "start"}
_LIMIT = 6
_PROBLEM = {"fail", "warn", "error", "high", "critical", "medium"}


def _flatten(r: ResultView) -> dict[str, Any]:
    ev = dict(r.evidence)
    cert = ev.get("certificate")
    if isinstance(cert, dict):
        for k in ("issuer_org", "issuer_cn", "not_after", "days_left", "lifetime_days", "sans"):
            if k in cert:
                ev.setdefault(k, cert[k])
        ev.pop("certificate")
    if r.check == "redirects" and isinstance(ev.get("map"), dict):
        ends = _dict(ev, "ends")
        ev["map"] = [f"{k} → {v}" if v else f"{k}: {ends.get(k, 'no final address')}" for k, v in sorted(ev["map"].items())]
        ev.pop("ends", None)
    if isinstance(ev.get("findings"), list):
        bad = [f for f in ev["findings"] if isinstance(f, dict) and str(f.get("severity") or f.get("status") or "")
               in _PROBLEM]
        if r.check in ("secrets",):
            bad = [f for f in ev["findings"] if isinstance(f, dict)]
        ev["findings"] = bad
    if r.check == "dns" and isinstance(ev.get("cname_chain"), list):
        chain = [x[-1] for x in ev["cname_chain"] if isinstance(x, list | tuple) and x]
        ev["cname_chain"] = " → ".join(map(str, chain)) if chain else []
    return ev


def evidence_parts(r: ResultView) -> Parts:
    """The evidence that matters: a few short 'key: value' lines."""
    ev = _flatten(r)
    if not ev:
        return []
    if r.status in ("skip", "error") and set(ev) <= {"reason", "missing_key", "nameserver", "failure", "detail"}:
        bits = [f"{k.replace('_', ' ')}: {_val(v, 100)}" for k, v in sorted(ev.items())
                if k != "reason" and v not in ("", None, [])]
        return ["; ".join(bits)] if bits else []
    target = r.target.lower().rstrip("/")
    hide = {k for k, v in ev.items() if isinstance(v, str) and v.lower().rstrip("/") == target}
    shown, hidden = _kind_keys(r.check)
    keys = [k for k in shown if k in ev and k not in hide]
    hide |= hidden if r.status != "error" else set()
    keys = [k for k in keys if k not in hide]
    keys += sorted(k for k in ev if k not in keys and k not in _HIDE and k not in hide and k != "reason")
    keys = [k for k in keys if ev.get(k) not in (None, "", [], {})]
    lines: list[str] = []
    for k in keys[:_LIMIT]:
        v = ev[k]
        if k in ("headers",) and isinstance(v, dict):
            for hk in sorted(v, key=str)[:_LIMIT]:
                lines.append(f"{hk}: {_val(v[hk], 160)}")
            continue
        if (k.endswith("_ms") or k in ("p50", "p95", "p99")) and _num(v) is not None:
            v = _fmt_ms(v)
        lines.append(f"{k.replace('_', ' ')}: {_val(v)}")
    if len(keys) > _LIMIT:
        lines.append(f"(+{len(keys) - _LIMIT} more in the state file)")
    out: Parts = []
    for i, line in enumerate(lines):
        if i:
            out.append(Br())
        out.append(line)
    return out


def _checked(r: ResultView) -> Parts:
    parts: Parts = [show_time(r.started_at) or "never"]
    if r.stale:
        parts += [" ", Flag(STALE_TEXT)]
    return parts


def _status_parts(status: str | None) -> Parts:
    return [Badge(status)] if status else ["not checked"]
