"""Story identity: a canonical URL and the story id hashed from it.

Pure; no project imports beyond the standard library.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no `www.`, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port is not None and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def story_id(url: str) -> str:
    """A stable 16-byte hex id of a story's canonical URL."""
    return hashlib.blake2b(canonical_url(url).encode("utf-8"), digest_size=16).hexdigest()


def source_of(url: str) -> str:
    """The publishing site as a bare host name, the fallback when a crawler names no source."""
    return (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
