"""Signed webhook bodies, on disk before Intuit hears its 200, until the inbox has stored their changes.

Why a file and not the database: the answer must not wait for SQLite's single write lock, which the inbound worker
holds while it applies a chunk of changes (an answer then waited up to its 2 s budget). One ``write`` of the bytes
to a file opened for appending costs microseconds and survives the process being killed (the bytes are in the
operating system's cache from then on). A power cut may lose the last appends, as SQLite's ``synchronous=NORMAL``
may lose its last commits; change data capture finds those changes still.

Segments: appends go to the open segment; when the inbox's writer takes what is queued it seals the segment
(``seal``) and deletes it once those bodies' changes are committed (``discard``). A crash leaves segments behind;
``leftovers`` reads them back at the next start, and storing them again is harmless (one row per event key).
Each record is framed as length, CRC-32, bytes: a record cut short by a crash (never acknowledged) is skipped.
"""
from __future__ import annotations

import logging
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ['WebhookJournal', 'Segment']

log = logging.getLogger(__name__)

_HEADER = struct.Struct('>II')  # length, crc32 of the body
_PREFIX = 'webhooks-'
_SUFFIX = '.journal'


@dataclass(frozen=True)
class Segment:
    """A sealed segment and the bodies it holds (read back after a crash, or known from the queue)."""
    path: Path
    bodies: list[bytes]


class WebhookJournal:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._fd: int | None = None
        self._path: Path | None = None
        self._number = 0
        self._sealed: list[Path] = []

    def append(self, body: bytes) -> None:
        """Durable against a crash of this process when it returns (one ``write`` into the open segment)."""
        if self._fd is None:
            self._open()
        assert self._fd is not None
        record = _HEADER.pack(len(body), zlib.crc32(body)) + body
        try:
            written = os.write(self._fd, record)
        except OSError:
            self._close()  # whatever part went in ends this segment: later records start framed in a new one
            raise
        if written != len(record):  # a full disk: the part written is skipped when read back
            self._close()
            raise OSError(f'webhook journal: wrote {written} of {len(record)} bytes')

    def seal(self) -> list[Path]:
        """Close the open segment; returns the segments closed since the last seal (their bodies are all queued).
        New appends start another segment."""
        self._close()
        sealed, self._sealed = self._sealed, []
        return sealed

    def discard(self, path: Path) -> None:
        """Everything in ``path`` is stored in the database: the segment is no longer needed."""
        path.unlink(missing_ok=True)

    def leftovers(self) -> list[Segment]:
        """Segments a stopped or crashed process left, oldest first, with their readable records (call at start,
        before the first append)."""
        paths = sorted(self._folder.glob(f'{_PREFIX}*{_SUFFIX}')) if self._folder.is_dir() else []
        return [Segment(path, self._read(path)) for path in paths if path != self._path]

    def _close(self) -> None:
        if self._fd is not None and self._path is not None:
            os.close(self._fd)
            self._sealed.append(self._path)
        self._fd, self._path = None, None

    def _open(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        if not self._number:  # the first segment of this process numbers after any a stopped one left
            self._number = max((_number(p) for p in self._folder.glob(f'{_PREFIX}*{_SUFFIX}')), default=0)
        self._number += 1
        self._path = self._folder / f'{_PREFIX}{self._number:012d}{_SUFFIX}'
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    @staticmethod
    def _read(path: Path) -> list[bytes]:
        data = path.read_bytes()
        bodies: list[bytes] = []
        offset = 0
        while offset + _HEADER.size <= len(data):
            length, crc = _HEADER.unpack_from(data, offset)
            body = data[offset + _HEADER.size:offset + _HEADER.size + length]
            if len(body) < length or zlib.crc32(body) != crc:
                log.warning('webhook journal %s: a record cut short or damaged at byte %d, and what follows, skipped',
                            path.name, offset)
                break
            bodies.append(body)
            offset += _HEADER.size + length
        return bodies


def _number(path: Path) -> int:
    digits = path.name[len(_PREFIX):-len(_SUFFIX)]
    return int(digits) if digits.isdigit() else 0
