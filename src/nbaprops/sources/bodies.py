"""Response bodies: undo undeclared compression (within the body cap) and tell usable from broken.

Used by `nbaprops.sources.http` on every attempt: a body that fails
`body_problem` is a failed attempt (retried), whatever its HTTP status.
"""

from __future__ import annotations

import json
import zlib
from typing import Literal, TypeAlias

import brotli

from nbaprops.core.config import DEFAULT_MAX_BODY
from nbaprops.sources.bounded import decompress_bounded

__all__ = ["BodyKind", "UndecodableBodyError", "body_problem", "decode_body"]

BodyKind: TypeAlias = Literal["json", "pdf", "html", "csv", "any"]
"""What a response body must look like to count as a success."""


class UndecodableBodyError(ValueError):
    """A body that announces a compression (gzip magic) but does not decompress."""


def _looks_like(content: bytes, expect: BodyKind) -> bool:
    head = content[:64].lstrip()
    if expect == "json":
        return head[:1] in (b"{", b"[")
    if expect == "pdf":
        return head.startswith(b"%PDF")
    if expect == "html":
        return head[:1] == b"<"
    return True


def decode_body(content: bytes, expect: BodyKind, *, max_bytes: int | None = None) -> bytes:
    """Undo a compression the headers did not announce (gzip magic, or Brotli by trial).

    Args:
        content: the body as httpx delivered it (declared encodings already undone).
        expect: what the body should be.
        max_bytes: the decoded body's cap (default: ``HttpSettings().max_body_bytes``).

    Returns:
        The decoded body (unchanged when it already looks right).

    Raises:
        UndecodableBodyError: a gzip body that does not decompress.
        OverflowError: the decoded body would exceed `max_bytes` (a compression bomb).
    """
    cap = max_bytes or DEFAULT_MAX_BODY
    if content[:2] == b"\x1f\x8b":
        try:
            return decompress_bounded(content, "gzip", cap=cap)
        except (OSError, EOFError, zlib.error) as exc:
            raise UndecodableBodyError(f"gzip body does not decompress: {exc}") from None
    if expect in ("any", "csv") or _looks_like(content, expect) or not content:
        return content
    try:
        return decompress_bounded(content, "br", cap=cap)
    except brotli.error:
        return content  # not Brotli either: the body check reports what it is


def body_problem(content: bytes, expect: BodyKind, content_type: str) -> str | None:
    head = content[:512].lstrip().lower()
    if not content:
        return "empty body"
    is_html = head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head[:200]
    if expect == "json":
        if is_html or "text/html" in content_type:
            return "HTML page instead of JSON (an error page served with a success status)"
        try:
            json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            return f"body is not valid JSON (truncated or corrupt: {exc})"
    elif expect == "pdf":
        if not content.lstrip().startswith(b"%PDF"):
            return "HTML page instead of PDF" if is_html else "body is not a PDF"
        if b"%%EOF" not in content[-2048:]:
            return "PDF is truncated (no %%EOF marker)"
    elif expect == "html":
        if not is_html and not head.startswith(b"<"):
            return "body is not HTML"
        if b"</html>" not in content[-4096:].lower():
            return "HTML page is truncated (no closing </html>)"
    return None
