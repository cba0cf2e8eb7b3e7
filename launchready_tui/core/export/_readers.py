"""Small readers shared by the handover's parts: results, records and fields from the
state, profile keys and runbook commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from launchready_tui.core.export._model import FieldView, RecordView, ResultView, _dict


def _short(value: Any, limit: int = 240) -> str:
    s = " ".join(str(value).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def stage_title(rb: Any) -> str:
    title = str(getattr(rb, "title", "") or getattr(rb, "id", ""))
    stage = getattr(rb, "stage", None)
    if stage and not title.lower().startswith("stage"):
        return f"Stage {stage}: {title}"
    if getattr(rb, "kind", "") == "incident" and not title.lower().startswith("incident"):
        return f"Incident: {title}"
    return title


def _results(state: dict[str, Any], now: dt.datetime) -> list[ResultView]:
    raw = state.get("results")
    if not isinstance(raw, dict):
        raw = {str(i): r for i, r in enumerate(raw)} if isinstance(raw, list) else {}
    out = [ResultView.from_dict(k, v, now) for k, v in raw.items()]
    out.sort(key=lambda r: (r.stage if r.stage is not None else 99, r.runbook, r.step, r.check_id, r.target, r.key))
    return out


def _entry(d: Any) -> dict[str, Any]:
    if isinstance(d, dict):
        return d
    if d is True:
        return {"checked": True}
    if isinstance(d, str):
        return {"value": d}
    return {}


def _field_view(fid: str, label: str, raw: Any, ftype: str = "text") -> FieldView:
    e = _entry(raw)
    value = e.get("value", "") if isinstance(raw, dict) else (raw if isinstance(raw, str) else "")
    if isinstance(value, list):
        value = "\n".join(str(x) for x in value)
    elif isinstance(value, dict):
        value = ", ".join(f"{k}: {v}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    from launchready_tui.core.fields import field_problem

    text = str(value if value is not None else "").strip()
    return FieldView(fid, label, text, str(e.get("by") or ""), str(e.get("at") or ""), ftype,
                     field_problem(ftype, text) or "")


def _record_view(block: Any, stored: Any) -> RecordView:
    stored = stored if isinstance(stored, dict) else {}
    fields_ = []
    known = set()
    for f in getattr(block, "fields", ()):
        known.add(f.id)
        fields_.append(_field_view(f.id, f.label, stored.get(f.id), f.type))
    for fid in sorted(k for k in stored if k not in known):
        fields_.append(_field_view(str(fid), str(fid).replace("_", " ").capitalize(), stored[fid]))
    return RecordView(block.id, block.label, fields_)


def find_record(state: dict[str, Any], runbooks: list[Any], block_id: str) -> list[FieldView]:
    """The fields of record `block_id`, wherever it lives (first runbook that has it)."""
    records = _dict(state, "records")
    for rb in runbooks:
        for st in rb.steps:
            for b in st.records:
                if b.id == block_id:
                    return _record_view(b, records.get(f"{rb.id}/{st.id}/{b.id}")).fields
    for key in sorted(records):
        if str(key).rsplit("/", 1)[-1] == block_id and isinstance(records[key], dict):
            return [_field_view(str(k), str(k).replace("_", " ").capitalize(), v)
                    for k, v in sorted(records[key].items(), key=lambda kv: str(kv[0]))]
    return []


def find_field(state: dict[str, Any], runbooks: list[Any], field_id: str) -> FieldView | None:
    """A record field by id in any record (the first filled one, in runbook order)."""
    records = _dict(state, "records")
    for rb in runbooks:
        for st in rb.steps:
            for b in st.records:
                for f in b.fields:
                    if f.id == field_id:
                        fv = _field_view(f.id, f.label, (records.get(f"{rb.id}/{st.id}/{b.id}") or {}).get(f.id), f.type)
                        if fv.value:
                            return fv
    for key in sorted(records):
        rec = records[key]
        if isinstance(rec, dict) and field_id in rec:
            fv = _field_view(field_id, field_id.replace("_", " ").capitalize(), rec[field_id])
            if fv.value:
                return fv
    return None


def _profile_get(profile: Any, key: str, default: Any = None) -> Any:
    try:
        v = profile.get(key)
    except Exception:
        return default
    return default if v is None else v


def _render_command(text: str, profile: Any) -> str:
    from launchready_tui.core.runbook import TemplateMissing, render

    try:
        out = render(text, profile)
    except (TemplateMissing, Exception):
        return text
    return out if isinstance(out, str) else text
