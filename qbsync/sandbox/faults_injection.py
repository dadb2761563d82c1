"""Fault injection: make the sandbox fail the way Intuit sometimes does, on purpose, for tests and benchmarks.

Faults come two ways: a rate (each API call fails with that probability, from a seeded generator so a benchmark
run is repeatable) and a one-shot count ("the next 2 calls answer 503"), which is what tests want. Only calls to
the Accounting API (``/v3/company/...``) are affected; OAuth and the admin API never fail on purpose.

``timeout_after_commit`` lets the call run and commit, then drops the connection before the answer, so a client
must retry with the same ``requestid`` and get the original answer instead of a second object. It only applies to
POST calls (a dropped read is just a plain retry), which is also why a one-shot arming waits for the next POST.
Token expiry and grant revocation are actions on the grant store, not per-call faults; see ``admin/faults.py``.
"""
from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field, replace
from typing import Awaitable, Callable, Literal, get_args

__all__ = ['FaultKind', 'FAULT_KINDS', 'FaultSettings', 'FaultStatus', 'FaultInjector']

FaultKind = Literal['http_500', 'http_503', 'transient_6000', 'timeout_after_commit']
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


@dataclass(frozen=True)
class FaultSettings:
    """The standing knobs: a probability per fault kind and a latency added before every API call."""
    rates: dict[FaultKind, float] = field(default_factory=dict)
    latency_ms: int = 0
    seed: int | None = None

    def __post_init__(self) -> None:
        for kind, rate in self.rates.items():
            if kind not in FAULT_KINDS:
                raise ValueError(f'unknown fault kind {kind!r}; known: {", ".join(FAULT_KINDS)}')
            if not 0 <= rate <= 1:
                raise ValueError(f'rate for {kind} must be between 0 and 1, got {rate}')
        if self.latency_ms < 0:
            raise ValueError('latency_ms must not be negative')


@dataclass(frozen=True)
class FaultStatus:
    settings: FaultSettings
    armed: dict[FaultKind, int]
    injected: dict[FaultKind, int]


class FaultInjector:
    """Chooses the fault, if any, for each API call; shared by the middleware, the admin API and Python callers."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.sleep = sleep  # added latency is real time; tests pass a recorder instead
        self._lock = threading.Lock()
        self.reset()

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings
            self._rng = random.Random(settings.seed)

    def update(self, **changes: object) -> FaultSettings:
        """Change some knobs and keep the rest (``update(latency_ms=50)``)."""
        settings = replace(self._settings, **changes)  # type: ignore[arg-type]
        self.configure(settings)
        return settings

    def arm(self, kind: FaultKind, count: int = 1) -> None:
        """Make the next ``count`` eligible calls fail with ``kind``, before any rate applies."""
        if kind not in FAULT_KINDS:
            raise ValueError(f'unknown fault kind {kind!r}; known: {", ".join(FAULT_KINDS)}')
        if count < 0:
            raise ValueError('count must not be negative')
        with self._lock:
            self._armed[kind] = self._armed.get(kind, 0) + count

    def reset(self) -> None:
        with self._lock:
            self._settings = FaultSettings()
            self._rng = random.Random()
            self._armed: dict[FaultKind, int] = {}
            self._injected: dict[FaultKind, int] = {}

    def status(self) -> FaultStatus:
        with self._lock:
            return FaultStatus(self._settings, dict(self._armed), dict(self._injected))

    @property
    def latency_seconds(self) -> float:
        return self._settings.latency_ms / 1000

    def pick(self, method: str) -> FaultKind | None:
        """The fault for one call, or None; armed faults go first, in FAULT_KINDS order."""
        with self._lock:
            eligible = [k for k in FAULT_KINDS if k != 'timeout_after_commit' or method.upper() == 'POST']
            chosen = next((k for k in eligible if self._armed.get(k)), None)
            if chosen is not None:
                self._armed[chosen] -= 1
            else:
                chosen = next((k for k in eligible if self._rng.random() < self._settings.rates.get(k, 0)), None)
            if chosen is not None:
                self._injected[chosen] = self._injected.get(chosen, 0) + 1
            return chosen
