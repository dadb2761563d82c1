"""Application services: what pages, routes, the scheduler and the CLI call. No NiceGUI in here."""
from .container import Services

__all__ = ['Services']
