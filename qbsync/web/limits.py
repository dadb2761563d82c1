"""Bounded request bodies: refuse what is too large from its Content-Length, or while it streams in.

``await request.body()`` buffers whatever the client sends; four unsigned 256 MB posts took the process past a
gigabyte. Reading chunk by chunk and stopping at the limit keeps memory bounded whatever the headers claim.
"""
from __future__ import annotations

from starlette.requests import Request

__all__ = ['read_limited', 'MAX_WEBHOOK_BODY']

MAX_WEBHOOK_BODY = 1024 * 1024  # Intuit's notifications are a few kilobytes; 1 MB leaves ample room


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body when it is at most ``limit`` bytes; None (nothing more read) as soon as it is known to be larger."""
    declared = request.headers.get('content-length')
    if declared is not None:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b''.join(chunks)
