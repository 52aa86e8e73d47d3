"""Which web pages may open a site's chat: the browser's Origin header against the site's list.

Pure: no Django. An allowed entry is an origin (`https://www.example.com`, a port when it is not
the scheme's default) or a wildcard for the subdomains of a host (`https://*.example.com`, which
does not match `https://example.com` itself). Comparison is on scheme, host and port, case-blind.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize(origin: str) -> str | None:
    """`scheme://host[:port]` in lower case with the default port dropped; None if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def is_valid_entry(entry: str) -> bool:
    """Whether `entry` may be stored in a site's list (an origin, or `scheme://*.host`)."""
    return normalize(entry.replace("://*.", "://wildcard.", 1)) is not None


def is_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Whether the page at `origin` may open the chat. No Origin header (not a browser): refused."""
    if not origin:
        return False
    wanted = normalize(origin)
    if wanted is None:
        return False
    scheme, rest = wanted.split("://", 1)
    for entry in allowed:
        if "://*." in entry:
            pattern = normalize(entry.replace("://*.", "://wildcard.", 1))
            if pattern is None:
                continue
            entry_scheme, entry_rest = pattern.split("://", 1)
            suffix = entry_rest.removeprefix("wildcard")  # ".example.com[:port]"
            host, _, port = rest.partition(":")
            suffix_host, _, suffix_port = suffix.partition(":")
            if (
                entry_scheme == scheme
                and port == suffix_port
                and host.endswith(suffix_host)
                and len(host) > len(suffix_host)
            ):
                return True
        elif normalize(entry) == wanted:
            return True
    return False
