"""Plain FastAPI routes (no UI): OAuth callback, Intuit webhook, health."""
