"""The one door to the network: every feed, page and user-given URL is fetched here.

Users hand the bot URLs (`/summary`, `/addsource`), so this client assumes every URL
is hostile: only http and https; the host is resolved by us and every TCP connection
goes to an address we checked (loopback, private, link-local, multicast, reserved
and unspecified addresses are refused, including IPv4 inside IPv6 and odd IPv4
spellings such as 2130706433 or 0x7f000001, which the resolver turns into the
address they really name); redirects are followed one hop at a time, each checked
again. Bodies are read as a stream and cut at a byte cap that also bounds the
decompressed size, so a gzip bomb cannot fill memory. One overall deadline covers a
request with all its redirects, so a server trickling bytes cannot hold a worker.

Politeness: an honest User-Agent, a global and a per-host concurrency limit,
conditional GET with the stored ETag / Last-Modified, and Retry-After remembered per
host. Every failure is a `FetchError` subclass whose message can be shown to a user.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import logging
import re
import socket
import zlib
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Self

import httpcore
import httpx
from charset_normalizer import from_bytes

from services.clock.clocks import Clock, SystemClock

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
"""(host, port) → the addresses it names; the default asks the system resolver."""

USER_AGENT = "Newsdigest/0.1 (news digest bot; reads RSS/Atom feeds and the articles they link)"
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# --- errors -------------------------------------------------------------------------


class FetchError(Exception):
    """A URL could not be fetched; `str(error)` is a sentence fit to show a user."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class InvalidURL(FetchError):
    """Not an http(s) URL with a host."""


class BlockedAddress(FetchError):
    """The URL leads to an address the guard refuses (loopback, private network …)."""


class FetchTimeout(FetchError):
    """The server did not answer, or did not finish answering, in time."""


class ResponseTooLarge(FetchError):
    """The body, as sent or once decompressed, is larger than the cap."""


class TooManyRedirects(FetchError):
    """More redirects than allowed, or a redirect back to a URL already visited."""


class ConnectionFailed(FetchError):
    """The host name does not resolve, or the server cannot be reached."""


class BadResponse(FetchError):
    """The server broke the protocol or sent a body that cannot be decoded."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, status: int, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status

    @property
    def gone(self) -> bool:
        """The page is not there (404 or 410): retrying will not bring it back soon."""
        return self.status in (404, 410)


class RateLimited(HTTPStatusError):
    """The server asked us to come back later (429/503 with Retry-After)."""

    def __init__(
        self, message: str, *, status: int, retry_after: float, url: str | None = None
    ) -> None:
        super().__init__(message, status=status, url=url)
        self.retry_after = retry_after


# --- the address guard ----------------------------------------------------------------


def blocked_reason(address: IPAddress) -> str | None:
    """Why the guard refuses `address` ("a loopback address" …), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = blocked_reason(embedded)
            if inner is not None:
                return f"{inner} ({embedded}) inside an IPv6 address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private-network address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "not a public address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` names, as the system resolver sees them (numeric spellings too)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(f"the host name {host} could not be resolved") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class AddressGuard:
    """Resolves hosts and keeps only the addresses we may connect to."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        exempt: Sequence[IPNetwork] = (),
        resolver: Resolver = system_resolver,
    ) -> None:
        """`exempt` lists networks reachable even with the guard on (an operator's own feed
        host); `allow_private` lifts the guard entirely (ALLOW_PRIVATE_NETWORKS)."""
        self.allow_private = allow_private
        self._exempt = tuple(exempt)
        self._resolver = resolver

    def reason(self, address: IPAddress) -> str | None:
        if self.allow_private or any(address in network for network in self._exempt):
            return None
        return blocked_reason(address)

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The allowed addresses of `host`; BlockedAddress when every one is refused."""
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        resolved = [literal] if literal is not None else await self._resolver(host, port)
        if not resolved:
            raise ConnectionFailed(f"the host name {host} could not be resolved")
        allowed = [address for address in resolved if self.reason(address) is None]
        if not allowed:
            first = resolved[0]
            shown = host if literal is not None else f"{host} ({first})"
            raise BlockedAddress(
                f"refused to connect to {shown}: it is {self.reason(first)}; "
                "only public internet addresses can be fetched"
            )
        return allowed


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with every TCP connection routed through the guard.

    Checking at connect time, with the address we resolved ourselves, leaves no gap
    between the check and the connection for a DNS answer to change in.
    """

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._guard.addresses(host, port)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore's errors as httpx's, most specific first (a ConnectTimeout is a TimeoutException).
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _httpx_error(exc, request) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise _httpx_error(exc, request) from exc


def _httpx_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    kind = next(mapped for core, mapped in _HTTPX_ERRORS if isinstance(exc, core))
    return kind(str(exc), request=request)


class _GuardedStream(httpx.AsyncByteStream):
    """A response body from httpcore, its errors raised as httpx's."""

    def __init__(self, stream: AsyncIterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class _GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore's connection pool, which connects through
    `_GuardedBackend`: httpx's own transport has no public way to set the network backend,
    so this one is built from the public APIs of both libraries."""

    def __init__(self, guard: AddressGuard, limits: httpx.Limits) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=_GuardedBackend(guard),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("the guarded transport sends asynchronous request bodies only")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors(request):
            response = await self._pool.handle_async_request(core_request)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_GuardedStream(response.stream, request),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


# --- results and text decoding -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful answer: 200 with its body, or 304 Not Modified with none."""

    url: str  # as requested
    final_url: str  # after redirects; relative links resolve against this
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-case ("" when absent)."""
        return (self.content_type or "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body as text, decoded with `decode_text` (CPU work: call it off the loop)."""
        return decode_text(self.content, self.content_type).text


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    found_by: str  # "bom", "header", "xml", "meta", "utf-8", "detected" or "fallback"


_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DETECT_BYTES = 64 * 1024
# Encodings that Russian, Kazakh and English sites use, tried first: left to guess among
# all, the detector takes a short KOI8-R text for Shift-JIS. Only when none of these fits
# does it guess among every encoding it knows (Polish cp1250, Japanese, Chinese …).
_CANDIDATES = (
    "utf_8", "cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic", "cp866", "kz1048",
    "cp1252", "latin_1", "utf_16",
)  # fmt: skip
_CANDIDATE_MAX_CHAOS = 0.1
# A page declared UTF-8 keeps UTF-8 (bad bytes replaced) when its bad bytes are few, or
# outnumbered by valid multi-byte characters at least this many times: a stray Latin-1
# "ö" in a UTF-8 page is no reason to read it all as a Cyrillic code page, while a
# windows-1251 page served as "utf-8" is nothing but bad bytes. Undeclared, only the
# second rule counts.
_UTF8_VALID_PER_ERROR = 4
_UTF8_FEW_ERRORS = 8


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def _try(content: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(content: bytes, *, declared: bool) -> str | None:
    """`content` as UTF-8 with its few invalid bytes replaced; None when it is some other
    encoding."""
    text = content.decode("utf-8", "replace")
    errors = text.count("\ufffd") - content.count(b"\xef\xbf\xbd")
    if declared and errors <= _UTF8_FEW_ERRORS:
        return text
    valid = len(text) - len(text.encode("ascii", "ignore")) - errors
    return text if valid >= _UTF8_VALID_PER_ERROR * errors else None


def decode_text(content: bytes, content_type: str | None = None) -> DecodedText:
    """Bytes of a page or feed as text. The evidence, in order: a BOM; bytes that are valid
    UTF-8 beyond ASCII (no single-byte code page produces those by chance); the HTTP
    header, the XML declaration and `<meta charset>` / `http-equiv` (a declared charset the
    bytes do not fit is skipped, so a server that says utf-8 while sending windows-1251
    still reads right, and a declared UTF-8 page with a few bad bytes stays UTF-8); UTF-8
    with a few bad bytes; then detection by charset-normalizer, among the encodings our sites use first and among all
    when none of them fits."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            text = _try(content, encoding)
            if text is not None:
                return DecodedText(text, encoding, "bom")
    head = content[:4096]
    header_match = _HEADER_CHARSET.search(content_type or "")
    xml_match = _XML_ENCODING.search(head[:1024])
    meta_match = _META_CHARSET.search(head)
    declared = [
        (found_by, _codec(match.group(1) if match else None))
        for found_by, match in (("header", header_match), ("xml", xml_match), ("meta", meta_match))
    ]
    utf8 = _try(content, "utf-8")
    if utf8 is not None:
        found_by = next((by for by, codec in declared if codec == "utf-8"), "utf-8")
        if found_by != "utf-8" or not content.isascii() or not any(c for _, c in declared):
            return DecodedText(utf8, "utf-8", found_by)
    for found_by, codec in declared:
        text = _mostly_utf8(content, declared=True) if codec == "utf-8" else _try(content, codec)
        if text is not None and codec is not None:
            return DecodedText(text, codec, found_by)
    if utf8 is not None:
        return DecodedText(utf8, "utf-8", "utf-8")
    mostly = _mostly_utf8(content, declared=False)
    if mostly is not None:
        return DecodedText(mostly, "utf-8", "utf-8")
    return _detect(content)


def _detect(content: bytes) -> DecodedText:
    sample = content[:_DETECT_BYTES]
    best = from_bytes(sample, cp_isolation=list(_CANDIDATES)).best()
    if best is None or best.chaos > _CANDIDATE_MAX_CHAOS:
        best = from_bytes(sample).best() or best
    if best is not None:
        text = _try(content, best.encoding)
        if text is not None:
            return DecodedText(text, best.encoding, "detected")
        return DecodedText(content.decode(best.encoding, "replace"), best.encoding, "detected")
    return DecodedText(content.decode("utf-8", "replace"), "utf-8", "fallback")


# --- body reading -------------------------------------------------------------------


class _BodyReader:
    """Decompresses gzip/deflate as it arrives, never producing more than `limit` bytes."""

    def __init__(self, content_encoding: str, limit: int, url: str) -> None:
        self._limit = limit
        self._url = url
        self._size = 0
        self._chunks: list[bytes] = []
        encodings = [item.strip().lower() for item in content_encoding.split(",") if item.strip()]
        encodings = [item for item in encodings if item != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raise BadResponse(
                f"the server used a compression we did not ask for ({content_encoding})", url=url
            )
        self._encoding = encodings[0] if encodings else None
        self._wbits = zlib.MAX_WBITS if self._encoding == "deflate" else 16 + zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits) if self._encoding else None

    def _add(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise ResponseTooLarge(
                f"the response is larger than {self._limit // 1024} KiB and was cut off",
                url=self._url,
            )
        if data:
            self._chunks.append(data)

    def feed(self, chunk: bytes) -> None:
        inflater = self._inflater
        if inflater is None:
            self._add(chunk)
            return
        data = chunk
        while data:
            try:
                # max_length bounds what one call may produce: the cap holds within a chunk.
                piece = inflater.decompress(data, self._limit - self._size + 1)
            except zlib.error as exc:
                if self._wbits == zlib.MAX_WBITS and self._size == 0:
                    # "deflate" is often sent without its zlib header: retry as raw deflate.
                    self._wbits = -zlib.MAX_WBITS
                    inflater = self._inflater = zlib.decompressobj(self._wbits)
                    continue
                raise BadResponse(
                    f"the response claims {self._encoding} compression but is not valid",
                    url=self._url,
                ) from exc
            self._add(piece)
            data = inflater.unconsumed_tail
            if not data and inflater.eof and inflater.unused_data.strip(b"\0"):
                data = inflater.unused_data  # another gzip member follows
                inflater = self._inflater = zlib.decompressobj(self._wbits)

    def finish(self) -> bytes:
        if self._inflater is not None:
            self._add(self._inflater.flush())
        return b"".join(self._chunks)


# --- the client ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Timeouts, caps and concurrency of the client; the defaults suit news sites."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 20.0  # a whole request, redirects and body included
    max_bytes: int = 8 * 1024 * 1024  # after decompression
    max_redirects: int = 5
    max_connections: int = 16  # all hosts together
    per_host: int = 2  # at once to one host
    max_retry_after: float = 24 * 3600.0


@dataclass(slots=True)
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0


@dataclass(slots=True)
class _HostSlots:
    """One semaphore per host, dropped when nobody holds or awaits it."""

    per_host: int
    slots: dict[str, _HostSlot] = field(default_factory=dict)

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        slot = self.slots.get(host)
        if slot is None:
            slot = self.slots[host] = _HostSlot(asyncio.Semaphore(self.per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self.slots[host]


class Fetcher:
    """The project's HTTP client. Use as `async with Fetcher(...) as fetcher:` or call `aclose()`."""

    def __init__(
        self,
        *,
        allow_private_networks: bool = False,
        limits: FetchLimits | None = None,
        clock: Clock | None = None,
        exempt_networks: Sequence[IPNetwork] = (),
        resolver: Resolver = system_resolver,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.limits = limits or FetchLimits()
        self._clock = clock or SystemClock()
        self.guard = AddressGuard(
            allow_private=allow_private_networks, exempt=exempt_networks, resolver=resolver
        )
        pool_limits = httpx.Limits(
            max_connections=self.limits.max_connections,
            max_keepalive_connections=self.limits.max_connections,
        )
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(self.guard, pool_limits),
            timeout=httpx.Timeout(
                connect=self.limits.connect_timeout,
                read=self.limits.read_timeout,
                write=self.limits.read_timeout,
                pool=self.limits.deadline,
            ),
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": user_agent,
                "Accept": ACCEPT,
                "Accept-Language": "ru,kk;q=0.9,en;q=0.8",
                "Accept-Encoding": "gzip, deflate",
            },
        )
        self._global = asyncio.Semaphore(self.limits.max_connections)
        self._hosts = _HostSlots(self.limits.per_host)
        self._not_before: dict[str, float] = {}  # host → clock timestamp set by Retry-After

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET `url`, following checked redirects; raise a `FetchError` for anything but
        200 with a body or 304 Not Modified (only possible when `etag`/`last_modified`
        come from a previous answer)."""
        current = self.check_url(url)
        visited = {str(current)}
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        loop = asyncio.get_running_loop()
        deadline_at: float | None = None
        for _hop in range(self.limits.max_redirects + 1):
            host = _origin(current)
            self._check_not_before(host, url)
            # The host slot first: a queue for one slow host must not hold global slots.
            async with self._hosts.hold(host), self._global:
                if deadline_at is None:
                    deadline_at = loop.time() + self.limits.deadline
                try:
                    async with asyncio.timeout_at(deadline_at):
                        outcome = await self._request(url, current, conditional)
                except TimeoutError:
                    raise FetchTimeout(
                        f"no complete answer within {self.limits.deadline:g} s; gave up", url=url
                    ) from None
            if isinstance(outcome, FetchResult):
                return outcome
            if str(outcome) in visited:
                raise TooManyRedirects(f"the address redirects in a loop ({outcome})", url=url)
            visited.add(str(outcome))
            current = outcome
        raise TooManyRedirects(f"more than {self.limits.max_redirects} redirects; gave up", url=url)

    def check_url(self, url: str) -> httpx.URL:
        """The URL parsed, when it is an http(s) URL with a host; InvalidURL otherwise."""
        text = url.strip()
        try:
            parsed = httpx.URL(text)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise InvalidURL(f"not a valid web address: {text[:200]}", url=url) from exc
        if parsed.scheme not in ("http", "https"):
            shown = parsed.scheme or "no scheme"
            raise InvalidURL(
                f"only http and https addresses can be fetched, not {shown}: {text[:200]}",
                url=url,
            )
        if not parsed.host:
            raise InvalidURL(f"the address has no host name: {text[:200]}", url=url)
        return parsed

    def _check_not_before(self, host: str, url: str) -> None:
        until = self._not_before.get(host)
        if until is None:
            return
        wait = until - self._clock.now().timestamp()
        if wait <= 0:
            del self._not_before[host]
            return
        raise RateLimited(
            f"{host} asked us to wait {_duration(wait)} before the next request",
            status=429,
            retry_after=wait,
            url=url,
        )

    async def _request(
        self, url: str, current: httpx.URL, conditional: dict[str, str]
    ) -> FetchResult | httpx.URL:
        """One hop: the result, or the next URL when the server redirects."""
        request = self._client.build_request("GET", current, headers=conditional)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(
                f"the server at {current.host} did not answer in time", url=url
            ) from exc
        except httpx.ConnectError as exc:
            raise ConnectionFailed(f"could not connect to {current.host}", url=url) from exc
        except httpx.HTTPError as exc:
            raise BadResponse(
                f"the server at {current.host} broke the connection", url=url
            ) from exc
        except FetchError as exc:
            exc.url = exc.url or url
            raise
        try:
            return await self._handle(url, current, response)
        finally:
            await response.aclose()

    async def _handle(
        self, url: str, current: httpx.URL, response: httpx.Response
    ) -> FetchResult | httpx.URL:
        status = response.status_code
        if status in _REDIRECT_STATUSES:
            location = response.headers.get("location")
            if not location:
                raise BadResponse(f"redirect ({status}) without a Location", url=url)
            try:
                target = current.join(location.strip())
            except (httpx.InvalidURL, ValueError) as exc:
                raise BadResponse(
                    f"redirect to an invalid address: {location[:200]}", url=url
                ) from exc
            return self.check_url(str(target))
        if status in (429, 503) and "retry-after" in response.headers:
            retry_after = self._retry_after(response.headers["retry-after"])
            self._not_before[_origin(current)] = self._clock.now().timestamp() + retry_after
            raise RateLimited(
                f"the server is busy (HTTP {status}) and asked us to come back in "
                f"{_duration(retry_after)}",
                status=status,
                retry_after=retry_after,
                url=url,
            )
        result_headers = {
            "content_type": response.headers.get("content-type"),
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        if status == 304:
            return FetchResult(url, str(current), status, b"", **result_headers)
        if status != 200:
            phrase = response.reason_phrase or "error"
            raise HTTPStatusError(
                f"the server answered HTTP {status} ({phrase})", status=status, url=url
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise ResponseTooLarge(
                f"the response is {int(declared) // 1024} KiB, more than the "
                f"{self.limits.max_bytes // 1024} KiB we accept",
                url=url,
            )
        reader = _BodyReader(
            response.headers.get("content-encoding", ""), self.limits.max_bytes, url
        )
        try:
            async for chunk in response.aiter_raw():
                reader.feed(chunk)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"the server at {current.host} stopped sending", url=url) from exc
        except httpx.HTTPError as exc:
            raise BadResponse(
                f"the server at {current.host} broke the connection", url=url
            ) from exc
        return FetchResult(url, str(current), status, reader.finish(), **result_headers)

    def _retry_after(self, value: str) -> float:
        """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
        value = value.strip()
        seconds: float
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                seconds = 60.0
            else:
                seconds = (moment - self._clock.now()).total_seconds() if moment.tzinfo else 60.0
        return min(max(seconds, 0.0), self.limits.max_retry_after)


def _origin(url: httpx.URL) -> str:
    """The server a URL names, for politeness limits: host, and port when not the default."""
    return f"{url.host}:{url.port}" if url.port else url.host


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
