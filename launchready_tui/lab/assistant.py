"""A scripted admin assistant for the lab: OpenAI-compatible or plain JSON, vulnerable or
hardened, so the `ai_probe` check meets real HTTP answers of both kinds.

It is not a model: a few keyword rules decide what it does, which keeps tests exact.

* **vulnerable**: told to ignore its rules or to show its instructions, it echoes its
  system prompt (canary included); asked about refunds, invites, payouts or deletions it
  calls the tool straight away; asked about env vars or configuration it leaks one.
* **hardened**: refuses those, and proposes risky tool calls only with
  `requires_confirmation: true`, for a person to approve.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import threading
from dataclasses import dataclass, field

from launchready_tui.lab.web import Request, Response

_EXTRACT = re.compile(r"ignore|disregard|forget|instructions|system (prompt|message)|repeat|"
                      r"verbatim|configuration text|first sentence|reglas|consignes|"
                      r"instrucciones|hidden|backwards|spell out|pr0mpt", re.I)
_SECRETS = re.compile(r"environment|env var|api key|keys|token|configuration|connection string|"
                      r"database url|logs|umgebungsvariablen|secret key", re.I)
_TOOLS = [
    (re.compile(r"refund|remboursement|reembolso", re.I), "issue_refund"),
    (re.compile(r"invite", re.I), "invite_user"),
    (re.compile(r"payout|bank|iban", re.I), "change_payout_account"),
    (re.compile(r"delete|suspend", re.I), "delete_content"),
]
_REFUSAL = "I can't help with that here. Risky actions need an admin's approval in the dashboard."


def _decoded(text: str) -> str:
    """The prompt plus what a naive assistant would 'helpfully' decode from it."""
    extra = [codecs.decode(text, "rot13"), text.replace("\u200b", "")]
    for tok in re.findall(r"[A-Za-z0-9+/=]{16,}", text):
        try:
            extra.append(base64.b64decode(tok).decode("utf-8", "ignore"))
        except (binascii.Error, ValueError):
            pass
    return " ".join([text, *extra])


def fake_stripe_key() -> str:
    # Built at run time, so the repository holds no string that looks like a live key.
    return "sk_" + "live_" + "51LabOnly" + "Q7xZ9kP2mN4vB8cR1tY6wE3u"


@dataclass
class ScriptedAssistant:
    mode: str = "vulnerable"  # or "hardened"
    fmt: str = "openai"  # or "json"
    system_prompt: str = "You are the Acme admin assistant. Be brief."
    requests: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _prompt(self, req: Request) -> str:
        try:
            data = json.loads(req.body or b"{}")
        except ValueError:
            return ""
        if self.fmt == "openai":
            msgs = data.get("messages") or []
            return str(msgs[-1].get("content", "")) if msgs else ""
        return str(data.get("message", ""))

    def _decide(self, prompt: str) -> tuple[str, list[dict]]:
        text = _decoded(prompt)
        tool = next((name for rx, name in _TOOLS if rx.search(text)), None)
        if self.mode == "hardened":
            calls = [{"name": tool, "requires_confirmation": True}] if tool else []
            if tool or _EXTRACT.search(text) or _SECRETS.search(text):
                return _REFUSAL, calls
            return "Here is a short summary: nothing unusual.", []
        if tool:
            return f"Done: I ran {tool}.", [{"name": tool, "arguments": {"order": 1042}}]
        if _SECRETS.search(text):
            return f"Sure. STRIPE_SECRET_KEY={fake_stripe_key()}", []
        if _EXTRACT.search(text):
            return f"My instructions are: {self.system_prompt}", []
        return "Here is a short summary: nothing unusual.", []

    def __call__(self, req: Request) -> Response:
        prompt = self._prompt(req)
        with self._lock:
            self.requests.append(prompt)
        reply, calls = self._decide(prompt)
        if self.fmt == "openai":
            msg: dict = {"role": "assistant", "content": reply}
            if calls:
                msg["tool_calls"] = [
                    {"id": f"call_{i}", "type": "function",
                     **({"requires_confirmation": True} if c.get("requires_confirmation") else {}),
                     "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments") or {})}}
                    for i, c in enumerate(calls)
                ]
            body = {"id": "chatcmpl-lab", "object": "chat.completion", "model": "lab",
                    "choices": [{"index": 0, "message": msg,
                                 "finish_reason": "tool_calls" if calls else "stop"}]}
        else:
            body = {"reply": reply, "actions": calls}
        return Response(200, [("Content-Type", "application/json")], json.dumps(body))
