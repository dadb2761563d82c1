"""Embedded QuickBooks Online sandbox: Intuit's OAuth 2.0 and Accounting API v3, simulated locally.

It is the other side of the wire: it imports nothing from qbsync.quickbooks, qbsync.mapping or qbsync.sync,
and is written from Intuit's documented behaviour so that the engine and the simulator cannot agree on a mistake.
"""
from .app import create_sandbox_app
from .clock import Clock, ManualClock, SystemClock
from .state import SandboxConfig, SandboxState

__all__ = ['create_sandbox_app', 'Clock', 'ManualClock', 'SystemClock', 'SandboxConfig', 'SandboxState']
