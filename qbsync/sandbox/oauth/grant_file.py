"""Grants kept in a JSON file beside the sandbox database, so a restarted demo stays connected.

Only token hashes are written (``GrantStore.export_state``), never a usable token, and the file is private (0600).
Every change rewrites the file atomically (temp file + rename): grants change about once an hour per connection.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from .grants import GrantStore

__all__ = ['GrantFile', 'grant_file_path']


def grant_file_path(database_path: Path) -> Path:
    """``sandbox.db`` -> ``sandbox-grants.json`` in the same folder."""
    return database_path.with_name(f'{database_path.stem}-grants.json')


class GrantFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def attach(self, grants: GrantStore) -> None:
        """Load what the file holds into ``grants`` and keep the file in step with later changes."""
        self.load(grants)
        grants.on_change = lambda: self.save(grants)

    def load(self, grants: GrantStore) -> None:
        if not self.path.exists():
            return
        try:
            grants.import_state(json.loads(self.path.read_text()))
        except ValueError as error:  # JSONDecodeError is a ValueError too
            raise RuntimeError(f'{self.path}: cannot read the sandbox grants ({error}); move the file away to '
                               f'start without connections') from None

    def save(self, grants: GrantStore) -> None:
        text = json.dumps(grants.export_state(), separators=(',', ':'))
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + '.tmp')
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w') as handle:
                handle.write(text)
            os.replace(temporary, self.path)
