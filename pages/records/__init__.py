"""Record pages (list, view, create, edit) for every record type, written once and driven by ``specs``."""
