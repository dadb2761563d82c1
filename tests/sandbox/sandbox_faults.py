"""Asserting the sandbox's Intuit faults in tests that call the accounting layer directly (no HTTP)."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from qbsync.sandbox.accounting.faults import QBOFault


def expect_fault(code: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> QBOFault:
    """Run ``call`` and return the QBOFault it must raise with Intuit's error ``code``."""
    with pytest.raises(QBOFault) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value
