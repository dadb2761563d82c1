"""Moving records between the app and QuickBooks: scheduling, dashboard figures, the sync log (the engine joins
here: plan, outbound, inbound, runner)."""
