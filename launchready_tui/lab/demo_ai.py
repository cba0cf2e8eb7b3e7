"""Demo world, AI part: the admin app's assistant on staging, in its vulnerable mode.

Planted: `https://staging.<domain>/api/admin/assistant` answers like an OpenAI-compatible
chat endpoint; it calls `issue_refund`, `invite_user` and `change_payout_account` when asked
nicely and leaks a (made-up) Stripe key when asked for its configuration, so stage 5's AI
step shows real failures and their fixes. No canary is set up in the demo (it would need
the OS keyring), so the check also says how to add one.
"""

from __future__ import annotations

from launchready_tui.lab import Rule, Site, World
from launchready_tui.lab.assistant import ScriptedAssistant

DANGEROUS = ["issue_refund", "invite_user", "change_payout_account", "delete_content"]


def add(w: World, d: str) -> None:
    host = f"staging.{d}"
    site = w.sites.get(host)
    if site is None:
        site = w.sites[host] = Site()
    if not any(r[0] == host for r in w.records):
        w.records.append((host, "A", "127.0.0.1"))
    site.paths["/api/admin/assistant"] = Rule(handler=ScriptedAssistant("vulnerable", "openai"))
    w.profile.setdefault("ai_endpoints", []).append({
        "url": f"https://{host}/api/admin/assistant",
        "format": "openai",
        "dangerous_tools": DANGEROUS,
        "environment": "staging",
        # A sample from every category keeps the demo quick (2 prompts a second at most);
        # a real profile sends the whole set.
        "max_cases": 18,
    })
