"""Story identity: a canonical URL and the story id hashed from it.

Crawlers reach one page by many URLs (tracking parameters, `www.`, AMP copies, fragments,
trailing slashes); they all give one story id. Only parameters known to be tracking go (campaign
tags and click ids): any other parameter may select content (`?ref=`, `?page=`), so it stays.
A fragment is an anchor on one page and goes, unless it is a client-side route (`#!/…`, `#/…`),
which selects another page of a single-page app. Pure: only the standard library.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from worker.pipeline.memo import per_line

# Query parameters that never select content: campaign tags and click ids of the big platforms.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "cmp",
        "ito",
        "ico",
        "icid",
        "ocid",
        "smid",
        "sr_share",
        "guccounter",
        "_ga",
        "_gl",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "at_medium",
        "at_campaign",
        "xtor",
        "amp",
        "outputtype",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_")
_AMP_PATH = re.compile(r"(?:/amp(?=/|$)|\.amp(?=\.html?$|$))", re.IGNORECASE)
# A fragment that starts so is a client-side route (hashbang or path), not an anchor.
_ROUTE_FRAGMENT = ("!", "/")
_AMP_HOST = re.compile(r"^(?:amp\.|m\.)", re.IGNORECASE)


def _keeps(name: str) -> bool:
    lowered = name.lower()
    return lowered not in TRACKING_PARAMS and not lowered.startswith(TRACKING_PREFIXES)


@per_line()  # every crawl of a story repeats its URL, and each is canonicalised three times
def canonical_url(url: str) -> str:
    """https, lower-case host, no `www.`/AMP/mobile prefix, no anchor fragment, no tracking
    parameters, AMP path variants and the trailing slash folded; the other parameters sorted."""
    parts = urlsplit(url.strip())
    host = _AMP_HOST.sub("", (parts.hostname or "").lower().removeprefix("www."))
    host = host.removeprefix("www.")
    if parts.port is not None and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = _AMP_PATH.sub("", parts.path).rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, True) if _keeps(k)))
    route = parts.fragment if parts.fragment.startswith(_ROUTE_FRAGMENT) else ""
    # http and https copies of a page are one story; https is what sites serve today.
    return urlunsplit(("https", host, path, query, route))


@per_line()
def story_id(url: str) -> str:
    """A stable 16-byte hex id of a story's canonical URL."""
    return hashlib.blake2b(canonical_url(url).encode("utf-8"), digest_size=16).hexdigest()


def source_of(url: str) -> str:
    """The publishing site as a bare host name, the fallback when a crawler names no source."""
    return _AMP_HOST.sub("", (urlsplit(url.strip()).hostname or "").lower().removeprefix("www."))
