"""One URL parser for every check and every request: the one the HTTP client uses.

A URL named by a webhook (a recording) is checked by host before we fetch it. If the check
and the client read the URL differently, the check approves one host and the client
connects to another: `http://a:1\\@b:2/x` is host `b` to `urllib.parse` but host `a` to
urllib3 (a backslash ends the authority there). So the check parses with urllib3, the
parser `requests` itself uses, and refuses anything that is not already in the form
`requests` would send, byte for byte: then there is nothing left for two parsers to read
differently.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
# An encoded `\` or `@` has no business in a provider's recording URL, and is how a parser
# differential is smuggled past a check that decodes while the client does not. (Encoded
# `/` and `:` stay allowed: signed storage URLs carry them in their query strings.)
_SMUGGLED = re.compile(r"%(5c|40)", re.IGNORECASE)
# A host of digits (and dots/hex) that is not a dotted quad: 2130706433, 0x7f.1, 017700000001.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*$", re.IGNORECASE)


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int


def canonical_origin(url: str) -> Origin | None:
    """The (scheme, host, port) of an http(s) URL in canonical form, else None.

    None for: another scheme, no host, userinfo (`user@`), a backslash, whitespace or a
    control character, an encoded `\\` or `@`, a host with a trailing dot, a numeric host that is
    not a canonical dotted quad (decimal, octal, hex forms), a non-canonical IPv6 literal,
    and any URL `requests` would rewrite before sending.
    """
    if not isinstance(url, str) or not url.isascii() or "\\" in url or "@" in url:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    if _SMUGGLED.search(url):
        return None
    try:
        parsed = parse_url(url)
    except LocationParseError:
        return None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host or parsed.auth is not None:
        return None
    if parsed.url != url:
        return None  # the client would send something else than what was checked
    host = parsed.host
    if not _host_canonical(host):
        return None
    return Origin(parsed.scheme, host, parsed.port or DEFAULT_PORTS[parsed.scheme])


def _host_canonical(host: str) -> bool:
    if host.endswith(".") or host.startswith(".") or ".." in host:
        return False
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return f"[{address.compressed}]" == host
    if _NUMERIC_HOST.match(host):
        try:
            return str(ipaddress.IPv4Address(host)) == host
        except ValueError:
            return False
    return host == host.lower()


def base_origin(base_url: str) -> Origin | None:
    """The origin of an account's API base URL (configured by an admin, so only parsed)."""
    try:
        parsed = parse_url(base_url)
    except LocationParseError:
        return None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        return None
    return Origin(parsed.scheme, parsed.host, parsed.port or DEFAULT_PORTS[parsed.scheme])
