"""Query-string options of a write call: ``operation``, ``include`` (void, allowduplicatedocnum)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ['WriteOptions', 'request_options']


@dataclass(frozen=True)
class WriteOptions:
    operation: str                 # '', 'create', 'update', 'delete', 'void' (lower case)
    include: frozenset[str]        # lower-cased, comma-separated values of ``include``

    @property
    def allow_duplicate_doc_num(self) -> bool:
        return 'allowduplicatedocnum' in self.include


def request_options(params: Mapping[str, str]) -> WriteOptions:
    include = {part.strip().lower() for part in params.get('include', '').split(',') if part.strip()}
    return WriteOptions(params.get('operation', '').strip().lower(), frozenset(include))
