"""What a record field may hold, by its type: a date is YYYY-MM-DD, a URL is an http(s)
address, a number is a number. A bad value is kept as typed (nothing typed is lost) but
marked: in the app under the field, and in the handover as "not checked", so a typo
never reads as a fact."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOST = re.compile(r"(?i)^(localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
                   r"|\[[0-9a-f:.]+\])$")


def field_problem(ftype: str, value: str) -> str | None:
    """None when `value` fits the field type (or is empty); else what is wrong, in plain
    words, with an example of what fits."""
    v = (value or "").strip()
    if not v:
        return None
    if ftype == "date":
        if not _DATE.fullmatch(v):
            return f"'{v}' is not a date written as YYYY-MM-DD, e.g. 2026-12-31"
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            return f"'{v}' is not a real date (check the month and the day)"
        return None
    if ftype == "url":
        try:
            parts = urlsplit(v)
            host = parts.hostname or ""
        except ValueError:
            return f"'{v}' is not a web address"
        if parts.scheme not in ("http", "https"):
            return f"'{v}' is not a web address: it should start with https://, e.g. https://app.example.com"
        if not host or not _HOST.match(host if ":" not in host else f"[{host}]") or " " in v:
            return f"'{v}' is not a web address: the part after https:// should be a name like app.example.com"
        return None
    if ftype == "number":
        try:
            float(v.replace(",", ""))
        except ValueError:
            return f"'{v}' is not a number"
        return None
    return None
