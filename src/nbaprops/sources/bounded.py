"""Bounded I/O: a wall-clock deadline and a body-size cap on every HTTP call nbaprops makes.

httpx only bounds each socket operation (connect, one read, one write): a
server that drips one byte every half second never trips a 2 s read timeout
and can hold a request for as long as it likes; and ``response.content`` reads
whatever size the server sends into memory.  This module closes both holes:

- **Deadline.** `request_bounded` sets a deadline for the call (a context
  variable, so it is per thread); the network backend `bound` puts under a
  client shrinks every connect, TLS handshake, read and write to the time left, and
  the body loop checks the clock between chunks.  A call therefore ends at its
  deadline whatever the server does (headers or body dripped, a connection
  that never completes), as `DeadlineExceededError` (transient: the caller may
  retry).
- **Size.** The body is streamed: a ``Content-Length`` above the cap is
  refused before any byte is read, and the count of decoded bytes is checked
  after every chunk, so at most one chunk beyond the cap is ever held.  Past
  it the response is closed and `BodyTooLargeError` (terminal) is raised:
  nothing is returned, so nothing can be stored.  `decompress_bounded` gives
  the same cap to bodies compressed without a ``Content-Encoding`` header.

Messages name the method, the URL as the caller shows it (``shown``: without
secrets) and the limit, on one line.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import brotli
import httpcore
import httpx

from nbaprops.core.config import RequestLimits
from nbaprops.core.errors import TerminalSourceError, TransientSourceError

__all__ = [
    "BodyTooLargeError",
    "BoundedResponse",
    "DeadlineExceededError",
    "bound",
    "bounded_client",
    "decompress_bounded",
    "request_bounded",
]

_DEADLINE: ContextVar[float | None] = ContextVar("nbaprops_http_deadline", default=None)
_CLOCK_SLACK = 0.05
"""A socket timeout cut to the time left may fire a hair early: this much counts as reached."""


class DeadlineExceededError(TransientSourceError):
    """A call did not finish (connect, headers and the whole body) within its deadline."""


class BodyTooLargeError(TerminalSourceError):
    """A response body is larger than the cap for its kind (aborted, nothing kept)."""


def _left(timeout: float | None, *, connecting: bool = False) -> float | None:
    """The socket timeout cut to the time left before the current deadline."""
    end = _DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        exc = httpcore.ConnectTimeout if connecting else httpcore.ReadTimeout
        raise exc("deadline reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _left(timeout, connecting=True))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with the deadline applied to every stream it opens."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _left(timeout, connecting=True), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(path, _left(timeout, connecting=True), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound(client: httpx.Client) -> httpx.Client:
    """Put every connection pool of `client` (direct and env-proxy ones) on the deadline backend.

    httpx 0.28 takes no ``network_backend`` argument (encode/httpx#3749 adds
    one), so the backend is set on each pool before it opens a connection.
    Custom transports (``httpx.MockTransport`` in tests) have no pool and keep
    only the between-chunk deadline check.

    Returns:
        The same client.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _DeadlineBackend()
    return client


def bounded_client(*, timeout: float | httpx.Timeout, follow_redirects: bool) -> httpx.Client:
    """An httpx client whose calls through `request_bounded` are bounded end to end (env proxies kept)."""
    return bound(httpx.Client(timeout=timeout, follow_redirects=follow_redirects))


@dataclass(frozen=True)
class BoundedResponse:
    """A response read within its limits: status, headers and the decoded body."""

    status_code: int
    headers: httpx.Headers
    content: bytes


def _too_large(method: str, shown: str, size: int, cap: int, *, declared: bool = False) -> BodyTooLargeError:
    what = f"declares {size:,} bytes, over" if declared else "ran past"
    return BodyTooLargeError(f"{method} {shown}: response body {what} the cap of {cap:,} bytes (aborted)")


def _late(method: str, shown: str, deadline: float) -> DeadlineExceededError:
    return DeadlineExceededError(
        f"{method} {shown}: no complete response within the {deadline:.3g}s deadline"
    )


def _read(resp: httpx.Response, chunks: Iterator[bytes], *, cap: int, end: float) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise OverflowError(size)
        yield chunk
        if time.monotonic() >= end:
            raise TimeoutError


def request_bounded(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    limits: RequestLimits,
    shown: str,
    **kwargs: Any,
) -> BoundedResponse:
    """Send one request and read its body within `limits`.

    Args:
        client: an httpx client (a `bounded_client` bounds the header phase too;
            any other client is still bounded between body chunks).
        method: ``GET``, ``POST``, ...
        url: where to send it.
        limits: the deadline (seconds, wall clock, connect to last byte) and the body cap.
        shown: the URL as error messages may show it (no secrets).
        **kwargs: passed to ``client.stream`` (params, headers, json, timeout).

    Returns:
        The status, headers and decoded body.

    Raises:
        DeadlineExceededError: the deadline passed before the body was complete.
        BodyTooLargeError: the body is larger than ``limits.max_body_bytes``.
        httpx.HTTPError: any other transport failure, as httpx raises it.
    """
    cap = limits.max_body_bytes
    end = time.monotonic() + limits.deadline
    token = _DEADLINE.set(end)
    try:
        with client.stream(method, url, **kwargs) as resp:
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _too_large(method, shown, int(declared), cap, declared=True)
            body = b"".join(_read(resp, resp.iter_bytes(), cap=cap, end=end))
            return BoundedResponse(resp.status_code, resp.headers, body)
    except OverflowError:
        raise _too_large(method, shown, 0, cap) from None
    except TimeoutError:
        raise _late(method, shown, limits.deadline) from None
    except httpx.TimeoutException:
        if time.monotonic() >= end - _CLOCK_SLACK:
            raise _late(method, shown, limits.deadline) from None
        raise
    finally:
        _DEADLINE.reset(token)


def decompress_bounded(content: bytes, codec: str, *, cap: int) -> bytes:
    """Decompress a gzip or Brotli body, refusing output larger than `cap` (a compression bomb).

    Raises:
        OverflowError: the output would exceed `cap`.
        zlib.error, EOFError: a gzip body that does not decompress.
        brotli.error: a Brotli body that does not decompress.
    """
    if codec == "gzip":
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(content, cap + 1)
        if len(out) > cap or d.unconsumed_tail:
            raise OverflowError(cap)
        if not d.eof:
            raise EOFError("gzip stream is truncated")
        return out
    dec = brotli.Decompressor()
    text: bytes = dec.process(content, output_buffer_limit=cap + 1)
    if len(text) > cap or not dec.can_accept_more_data():
        raise OverflowError(cap)  # the output reached the cap with more still to come
    if not dec.is_finished():
        raise brotli.error("Brotli stream is truncated")
    return text
