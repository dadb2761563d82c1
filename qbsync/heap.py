"""The objects built at start-up, kept out of the garbage collector's full passes.

Why: a full collection walks every tracked object, and the process builds hundreds of thousands at start-up that live
as long as it does (routes, ORM metadata, page builders, in demo mode the embedded sandbox's seeded companies). Each
full pass then held the event loop for about 200 ms on a 2-core machine, and a webhook arriving meanwhile waited as
long for its answer (bench/inbound: ack p99 about 290 ms before, about 55 ms after). ``gc.freeze`` moves them to a
permanent generation that collections skip; what is made later is collected as before. No ``gc.collect`` first: it
would cost a full pass itself, and the little garbage frozen with the rest is a one-off.
"""
from __future__ import annotations

import gc

__all__ = ['settle_heap']


def settle_heap() -> None:
    """Call once the process has started (services, routes, sandbox): from then on full passes skip all that."""
    gc.freeze()
