"""HTTP to providers and to the media URLs in their payloads, never into our own network.

Built on the webhooks sender's rules (`frontline.webhooks.sender`, `frontline.webhooks.addresses`):
each hop's URL must be http(s) without credentials; its host is resolved here and every address
checked against the private/loopback/metadata ranges and the operator's allowlist; the request goes
to the checked address itself (Host header and TLS server name carry the name), so DNS rebinding
cannot redirect it. Redirects are followed only for GET (media downloads), each one checked, and
an Authorization header is never carried to another host. Bodies are read up to `max_bytes`.
No Django here: the allowlist and the resolver come in as values.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from frontline.webhooks import sender
from frontline.webhooks.addresses import Allowlist, IPAddress, Refused, check

USER_AGENT = "Frontline-Messaging/1"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Response:
    """What a request got: the final status and body, or an error in words (`is_refused` for SSRF)."""

    url: str
    status_code: int | None = None
    body: bytes = b""
    content_type: str = ""
    error: str = ""
    is_refused: bool = False

    @property
    def is_success(self) -> bool:
        return not self.error and self.status_code is not None and 200 <= self.status_code < 300

    @property
    def is_retryable(self) -> bool:
        """Worth trying again later: no answer, too many requests, or a server error."""
        if self.is_refused:
            return False
        if self.status_code is None:
            return True
        return self.status_code == 429 or self.status_code >= 500


class _TooLarge(Exception):
    pass


def _host_and_port(parsed: httpx.URL) -> tuple[str, int]:
    return parsed.raw_host.decode("ascii"), parsed.port or _DEFAULT_PORTS[parsed.scheme]


def _addresses(parsed: httpx.URL, allowlist: Allowlist, resolver: sender.Resolver) -> list[IPAddress]:
    host, port = _host_and_port(parsed)
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve") from exc
    return check(host, found, allowlist)


def request(
    method: str,
    url: str,
    *,
    allowlist: Allowlist,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    resolver: sender.Resolver | None = None,
    max_bytes: int = 1024 * 1024,
    max_redirects: int = 5,
    connect_timeout: float = 5.0,
    total_timeout: float = 30.0,
) -> Response:
    """One request, checked hop by hop; never raises for the remote side's faults."""
    deadline = time.monotonic() + total_timeout
    resolve = resolver or sender.resolve  # looked up now, so tests can answer name lookups
    current = url
    sent_headers = dict(headers or {})
    first_host = ""
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        for hop in range(max_redirects + 1):
            try:
                parsed = sender.target(current)
                addresses = _addresses(parsed, allowlist, resolve)
            except Refused as exc:
                prefix = "refused" if hop == 0 else "refused redirect"
                return Response(url=current, error=f"{prefix}: {exc.reason}", is_refused=True)
            host, _ = _host_and_port(parsed)
            first_host = first_host or host
            if host != first_host:
                sent_headers = {k: v for k, v in sent_headers.items() if k.lower() != "authorization"}
            response, location = _once(
                client,
                method,
                parsed,
                addresses,
                sent_headers,
                body,
                max_bytes=max_bytes,
                connect_timeout=connect_timeout,
                deadline=deadline,
            )
            if location is None or method.upper() != "GET":
                return response
            if hop == max_redirects:
                return Response(url=current, status_code=response.status_code, error="too many redirects")
            try:
                current = str(parsed.join(location))
            except (httpx.InvalidURL, ValueError):
                return Response(url=current, status_code=response.status_code, error="bad redirect")
    raise AssertionError("unreachable: the loop returns")  # pragma: no cover


def _once(
    client: httpx.Client,
    method: str,
    parsed: httpx.URL,
    addresses: list[IPAddress],
    headers: Mapping[str, str],
    body: bytes,
    *,
    max_bytes: int,
    connect_timeout: float,
    deadline: float,
) -> tuple[Response, str | None]:
    host, _ = _host_and_port(parsed)
    shown = str(parsed)
    errors: list[str] = []
    for ip in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Response(url=shown, error="timed out"), None
        outgoing = client.build_request(
            method.upper(),
            parsed.copy_with(host=str(ip)),
            content=body or None,
            headers={**headers, "Host": parsed.netloc.decode("ascii"), "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(remaining, connect=min(connect_timeout, remaining)),
            extensions={"sni_hostname": host} if parsed.scheme == "https" else None,
        )
        try:
            response = client.send(outgoing, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            errors.append(f"{ip}: {type(exc).__name__} {exc}".strip())
            continue
        except httpx.TimeoutException:
            return Response(url=shown, error="timed out"), None
        except httpx.HTTPError as exc:
            return Response(url=shown, error=f"{type(exc).__name__}: {exc}"[:500]), None
        try:
            content, error = _read(response, max_bytes, deadline)
        finally:
            response.close()
        result = Response(
            url=shown,
            status_code=response.status_code,
            body=content,
            content_type=response.headers.get("content-type", ""),
            error=error,
        )
        location = response.headers.get("location")
        if response.status_code in sender.REDIRECT_STATUSES and location and not error:
            return result, location
        return result, None
    return Response(url=shown, error="could not connect: " + "; ".join(errors)[:500]), None


def _read(response: httpx.Response, max_bytes: int, deadline: float) -> tuple[bytes, str]:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return b"", f"larger than {max_bytes} bytes ({declared})"
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if time.monotonic() > deadline:
                return b"".join(chunks), "timed out"
    except _TooLarge:
        return b"", f"larger than {max_bytes} bytes"
    except httpx.TimeoutException:
        return b"".join(chunks), "timed out"
    except httpx.HTTPError as exc:
        return b"".join(chunks), f"{type(exc).__name__}: {exc}"
    return b"".join(chunks), ""
