"""What `ai_probe` sends and reads back: the request body for an endpoint's `format`
(OpenAI chat or a JSON template with `{{ prompt }}`) and the answer's text and tool calls,
read from any shape of JSON without raising.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Markers that a tool call waits for a person: the call is a proposal, not an action.
_CONFIRM_KEYS = ("requires_confirmation", "needs_confirmation", "confirmation_required",
                 "needs_approval", "requires_approval", "pending_approval")
_CONFIRM_STATUSES = {"pending_approval", "pending_confirmation", "awaiting_confirmation",
                     "awaiting_approval", "needs_confirmation", "proposed"}
_TOOL_KEYS = ("name", "tool", "tool_name", "function", "action")


def _fill(template: Any, prompt: str) -> Any:
    """The request template with `{{ prompt }}` filled in, inside strings, so JSON escaping
    stays right whatever the prompt holds."""
    if isinstance(template, str):
        return re.sub(r"\{\{\s*prompt\s*\}\}", lambda _m: prompt, template)
    if isinstance(template, dict):
        return {k: _fill(v, prompt) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, prompt) for v in template]
    return template


def build_body(entry: dict[str, Any], prompt: str) -> bytes:
    fmt = str(entry.get("format") or "openai").lower()
    if fmt == "openai":
        body: Any = {
            "model": str(entry.get("model") or "default"),
            "messages": [{"role": "user", "content": prompt}],
        }
    else:
        template = entry.get("request", {"message": "{{ prompt }}"})
        if isinstance(template, str):
            try:
                template = json.loads(template)
            except ValueError:
                return _fill(template, json.dumps(prompt)[1:-1]).encode()
        body = _fill(template, prompt)
    return json.dumps(body).encode()


@dataclass
class ToolCall:
    name: str
    confirmed: bool  # waits for a person


@dataclass
class Answer:
    text: str
    tools: list[ToolCall] = field(default_factory=list)
    raw: str = ""


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _waits_for_person(d: dict[str, Any]) -> bool:
    if any(d.get(k) is True for k in _CONFIRM_KEYS):
        return True
    status = d.get("status")
    return isinstance(status, str) and status.lower() in _CONFIRM_STATUSES


def _json_tools(data: Any, dangerous: set[str], confirmed: bool = False, depth: int = 0) -> list[ToolCall]:
    """Tool names in a JSON answer: a dict whose name/tool/function/action key names a
    dangerous tool. A confirmation marker on it or on any dict around it makes it a proposal."""
    if depth > 20:
        return []
    out: list[ToolCall] = []
    if isinstance(data, dict):
        here = confirmed or _waits_for_person(data)
        for k in _TOOL_KEYS:
            v = data.get(k)
            if isinstance(v, str) and v in dangerous:
                out.append(ToolCall(v, here))
        for v in data.values():
            if isinstance(v, dict | list):
                out.extend(_json_tools(v, dangerous, here, depth + 1))
    elif isinstance(data, list):
        for v in data:
            out.extend(_json_tools(v, dangerous, confirmed, depth + 1))
    return out


def parse_answer(entry: dict[str, Any], body: bytes) -> Answer:
    raw = body.decode("utf-8", "replace")
    dangerous = {str(t) for t in entry.get("dangerous_tools") or []}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, or nested past Python's limit: read as text
        return Answer(raw, [], raw)
    fmt = str(entry.get("format") or "openai").lower()
    if fmt == "openai":
        text_parts: list[str] = []
        tools: list[ToolCall] = []
        choices = data.get("choices") if isinstance(data, dict) else None
        for choice in choices if isinstance(choices, list) else []:
            msg = choice.get("message") if isinstance(choice, dict) else None
            if not isinstance(msg, dict):
                continue
            if isinstance(msg.get("content"), str):
                text_parts.append(msg["content"])
            calls = msg.get("tool_calls")
            calls = [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
            if isinstance(msg.get("function_call"), dict):
                calls.append({"function": msg["function_call"]})
            for call in calls:
                fn = call.get("function") or {}
                name = fn.get("name") if isinstance(fn, dict) else None
                if isinstance(name, str) and name in dangerous:
                    tools.append(ToolCall(name, _waits_for_person(call) or _waits_for_person(fn)))
        return Answer("\n".join(text_parts), tools, raw)
    path = str(entry.get("response") or "reply")
    text = _dig(data, path)
    return Answer(text if isinstance(text, str) else "", _json_tools(data, dangerous), raw)

