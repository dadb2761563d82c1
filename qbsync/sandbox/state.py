"""The sandbox's whole world in one object: configuration, clock, registered apps and grants, companies.

One SandboxState backs one FastAPI app; routers reach it through ``request.app.state.sandbox``. Python callers
(tests, the demo, benchmarks) hold it directly to jump the clock, register apps or inspect companies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .accounting.policy import (ACCOUNT_NUMBER_MAX_LENGTH, SANDBOX_EMAILS_PER_DAY, CompanyPolicy,
                                DeactivationOperation)
from .accounting.store import CompanyStore
from .clock import Clock, SystemClock
from .events import EventBus
from .faults_injection import FaultInjector
from .oauth.grant_file import GrantFile, grant_file_path
from .oauth.grants import GrantStore
from .oauth.registry import AppRegistry
from .persistence import SandboxPersistence
from .throttle import Throttle, ThrottleLimits
from .webhooks.delivery import WebhookDispatcher, WebhookSettings

__all__ = ['SandboxConfig', 'SandboxState']


@dataclass
class SandboxConfig:
    clock: Clock = field(default_factory=SystemClock)
    database_path: Path | None = None      # None keeps companies in memory (tests); a file in demo mode
    admin_api: bool = True                 # /_sandbox/... admin endpoints (app registration, consent, reset)
    admin_loopback_only: bool = False      # changing admin endpoints refuse non-loopback callers (embedded)
    admin_token: str | None = field(default=None, repr=False)  # when set, changing admin endpoints require it
    fault_injection: bool = False          # /_sandbox/faults; off unless asked for
    public_base_url: str | None = None     # base for URLs in discovery documents; None = from each request
    webhook_transport: httpx.AsyncBaseTransport | None = None  # deliver webhooks in-process (tests, embedded)
    webhook_settings: WebhookSettings = field(default_factory=WebhookSettings)  # window, timeout, retry schedule
    webhook_background: bool | None = None  # background delivery task; None = only on a real (non-manual) clock
    throttle_limits: ThrottleLimits = field(default_factory=ThrottleLimits)  # applied to apps with throttling on
    throttle_xml: bool = False             # answer 429 in XML, as some captured Intuit throttles were
    deactivation_webhook: DeactivationOperation = 'Delete'  # name-list Active:false announced as (UNCONFIRMED)
    emails_per_day: int = SANDBOX_EMAILS_PER_DAY  # /send limit per realm and company-local day
    account_number_max_length: int = ACCOUNT_NUMBER_MAX_LENGTH  # Account.AcctNum; 7 = Intuit's published US limit

    def company_policy(self) -> CompanyPolicy:
        """The settings every company reads (see ``accounting.policy.CompanyPolicy`` for why these defaults)."""
        return CompanyPolicy(deactivation_operation=self.deactivation_webhook, emails_per_day=self.emails_per_day,
                             account_number_max_length=self.account_number_max_length)


class SandboxState:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = self.config.clock
        self.events = EventBus()
        self.apps = AppRegistry()
        self.grants = GrantStore(self.clock, self.apps)
        if self.config.database_path:  # demo mode: connections survive a restart (token hashes only)
            GrantFile(grant_file_path(self.config.database_path)).attach(self.grants)
        # demo mode keeps companies in a SQLite file (write-through); tests keep them in memory
        self.persistence = SandboxPersistence(self.config.database_path) if self.config.database_path else None
        factory = self.persistence.company_factory(self.clock, self.events) if self.persistence else None
        self.companies = CompanyStore(self.clock, self.events, company_factory=factory,
                                      policy=self.config.company_policy())
        restored = self.persistence.restore(self.companies) if self.persistence else []
        # one seeded company from the start (or the first one saved)
        self.default_realm_id = restored[0] if restored else self.companies.create_company().realm_id
        self.throttle = Throttle(self.clock, self.config.throttle_limits)
        self.faults = FaultInjector()
        self.webhooks = WebhookDispatcher(self, self.config.webhook_settings)
