"""Intuit's Accounting API v3 simulated: companies, entity rules, faults, the query language and the routes."""
from __future__ import annotations

from .faults import QBOFault
from .store import Company, CompanyRef, CompanyStore

__all__ = ['Company', 'CompanyRef', 'CompanyStore', 'QBOFault']
