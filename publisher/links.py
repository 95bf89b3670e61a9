"""The one vetting of links that come from user data (authors' pages, members' sites,
repository addresses): https, or a path on the same site, nothing else.

Browsers drop tabs and line breaks anywhere in an address and control characters and spaces
around it, so `java\tscript:` is `javascript:` to them; the address is vetted, and published,
without any of those characters. A backslash counts as a slash to them, so `/\\evil.example`
would lead to another server: refused too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _visible(url: str) -> str:
    """The address without control, format (zero-width) and whitespace characters."""
    return "".join(
        c
        for c in url
        if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Zs")
    )


def safe_link(url: Any, allow_relative: bool = True) -> str | None:
    """The address to publish for `url`, or None when it is no https address (or, with
    `allow_relative`, no path on the same site)."""
    if not isinstance(url, str):
        return None
    cleaned = _visible(url)
    if not cleaned or "\\" in cleaned:
        return None
    if cleaned.lower().startswith("https://") and len(cleaned) > len("https://"):
        return cleaned
    if not allow_relative or cleaned.startswith("//") or _SCHEME.match(cleaned):
        return None
    return cleaned
