"""Posting one signed body to a webhook target without letting the target reach inside our network.

For each hop (the URL, then every redirect, at most `max_redirects`):
1. the URL must be http or https, with a host and no credentials;
2. the host is resolved here, and every address it resolves to is checked (`addresses.check`);
3. the request goes to a checked address itself, with the host name in the Host header and as the
   TLS server name (so certificates are verified against the name), so a DNS answer that changes
   between the check and the connection (DNS rebinding) cannot send it elsewhere;
4. a redirect's Location is checked the same way before it is followed; the same signed POST is
   repeated to it.

Proxies from the environment are ignored (they would connect for us, unchecked). One attempt,
redirects included, has `total_timeout` seconds; connecting has `connect_timeout` per address.
No Django here: the allowlist and the resolver come in as values.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from frontline.webhooks.addresses import Allowlist, IPAddress, Refused, check

Resolver = Callable[[str, int], list[str]]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
EXCERPT_CHARS = 2000
_READ_LIMIT = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = "Frontline-Webhooks/1"


def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host`, in the order the system resolver gives them, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the final response's status, or an error in words."""

    url: str
    status_code: int | None = None
    error: str = ""
    response_excerpt: str = ""

    @property
    def is_success(self) -> bool:
        return not self.error and self.status_code is not None and 200 <= self.status_code < 300


def target(url: str) -> httpx.URL:
    """The URL parsed; Refused unless it is http(s) with a host and without credentials."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise Refused(f"{url!r} is not a URL") from exc
    if parsed.scheme not in _DEFAULT_PORTS:
        raise Refused("only http and https URLs can receive webhooks")
    if not parsed.host:
        raise Refused("the URL has no host")
    if parsed.userinfo:
        raise Refused("the URL must not contain a user name or password; authenticate by the signature")
    return parsed


def _host_and_port(parsed: httpx.URL) -> tuple[str, int]:
    return parsed.raw_host.decode("ascii"), parsed.port or _DEFAULT_PORTS[parsed.scheme]


def _checked_addresses(parsed: httpx.URL, allowlist: Allowlist, resolver: Resolver) -> list[IPAddress]:
    host, port = _host_and_port(parsed)
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve") from exc
    return check(host, found, allowlist)


def url_check(url: str, *, allowlist: Allowlist, resolver: Resolver | None = None) -> None:
    """Refused when webhooks may not be sent to `url` as things resolve now (checked again on send)."""
    _checked_addresses(target(url), allowlist, resolver or resolve)


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    allowlist: Allowlist,
    resolver: Resolver | None = None,
    max_redirects: int = 5,
    connect_timeout: float = 5.0,
    total_timeout: float = 10.0,
) -> Outcome:
    """POST `body` to `url`, following redirects, each hop checked; never raises for the target's faults."""
    deadline = time.monotonic() + total_timeout
    resolver = resolver or resolve
    current = url
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        for hop in range(max_redirects + 1):
            try:
                parsed = target(current)
                addresses = _checked_addresses(parsed, allowlist, resolver)
            except Refused as exc:
                prefix = "refused" if hop == 0 else "refused redirect"
                return Outcome(url=current, error=f"{prefix}: {exc.reason}")
            outcome, location = _post_once(
                client, parsed, addresses, body, headers, connect_timeout=connect_timeout, deadline=deadline
            )
            if location is None:
                return outcome
            if hop == max_redirects:
                return Outcome(
                    url=current,
                    status_code=outcome.status_code,
                    error=f"more than {max_redirects} redirects",
                    response_excerpt=outcome.response_excerpt,
                )
            try:
                current = str(parsed.join(location))
            except (httpx.InvalidURL, ValueError):
                return Outcome(
                    url=current, status_code=outcome.status_code, error="the redirect is not a URL"
                )
    raise AssertionError("unreachable: the loop returns")  # pragma: no cover


def _post_once(
    client: httpx.Client,
    parsed: httpx.URL,
    addresses: list[IPAddress],
    body: bytes,
    headers: Mapping[str, str],
    *,
    connect_timeout: float,
    deadline: float,
) -> tuple[Outcome, str | None]:
    """One POST to the first of `addresses` that accepts a connection; (outcome, redirect location)."""
    host, _ = _host_and_port(parsed)
    shown = str(parsed)
    errors: list[str] = []
    for ip in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Outcome(url=shown, error="timed out"), None
        request = client.build_request(
            "POST",
            parsed.copy_with(host=str(ip)),
            content=body,
            headers={
                **headers,
                "Host": parsed.netloc.decode("ascii"),
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(remaining, connect=min(connect_timeout, remaining)),
            extensions={"sni_hostname": host} if parsed.scheme == "https" else None,
        )
        try:
            response = client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            errors.append(f"{ip}: {type(exc).__name__} {exc}".strip())
            continue  # nothing was sent: the next address may answer
        except httpx.TimeoutException:
            return Outcome(url=shown, error="timed out"), None
        except httpx.HTTPError as exc:
            return Outcome(url=shown, error=f"{type(exc).__name__}: {exc}"[:500]), None
        try:
            excerpt, read_error = _read_excerpt(response, deadline)
        finally:
            response.close()
        outcome = Outcome(
            url=shown, status_code=response.status_code, error=read_error, response_excerpt=excerpt
        )
        location = response.headers.get("location")
        if response.status_code in REDIRECT_STATUSES and location and not read_error:
            return outcome, location
        return outcome, None
    return Outcome(url=shown, error="could not connect: " + "; ".join(errors)[:500]), None


def _read_excerpt(response: httpx.Response, deadline: float) -> tuple[str, str]:
    """The start of the response body, read until the limit or the deadline; (excerpt, error)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= _READ_LIMIT:
                break
            if time.monotonic() > deadline:
                return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT_CHARS], "timed out"
    except httpx.TimeoutException:
        return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT_CHARS], "timed out"
    except httpx.HTTPError as exc:
        return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT_CHARS], f"{type(exc).__name__}: {exc}"
    return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT_CHARS], ""
