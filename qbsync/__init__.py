"""qbsync: keeps a service business's records aligned with a QuickBooks Online company."""
__version__ = '0.1.0'
